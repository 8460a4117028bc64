import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function EndUserPage() {
  return (
    <>
      <PageHeader title="End user" />
      <p>Not built yet.</p>
    </>
  );
}
