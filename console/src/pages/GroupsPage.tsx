import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function GroupsPage() {
  return (
    <>
      <PageHeader title="Groups" />
      <p>Not built yet.</p>
    </>
  );
}
