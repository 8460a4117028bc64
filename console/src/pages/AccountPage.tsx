import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function AccountPage() {
  return (
    <>
      <PageHeader title="Account" />
      <p>Not built yet.</p>
    </>
  );
}
