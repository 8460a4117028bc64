import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function SystemsPage() {
  return (
    <>
      <PageHeader title="Systems" />
      <p>Not built yet.</p>
    </>
  );
}
