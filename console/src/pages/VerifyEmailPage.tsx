import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function VerifyEmailPage() {
  return (
    <>
      <PageHeader title="Verify your e-mail" />
      <p>Not built yet.</p>
    </>
  );
}
