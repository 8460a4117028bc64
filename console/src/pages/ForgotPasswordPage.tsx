import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function ForgotPasswordPage() {
  return (
    <>
      <PageHeader title="Forgot password" />
      <p>Not built yet.</p>
    </>
  );
}
