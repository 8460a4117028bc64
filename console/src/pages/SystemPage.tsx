import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function SystemPage() {
  return (
    <>
      <PageHeader title="System" />
      <p>Not built yet.</p>
    </>
  );
}
