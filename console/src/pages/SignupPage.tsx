import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function SignupPage() {
  return (
    <>
      <PageHeader title="Create an account" />
      <p>Not built yet.</p>
    </>
  );
}
