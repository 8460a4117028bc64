import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function ResetPasswordPage() {
  return (
    <>
      <PageHeader title="Choose a new password" />
      <p>Not built yet.</p>
    </>
  );
}
