import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function MembersPage() {
  return (
    <>
      <PageHeader title="Admins" />
      <p>Not built yet.</p>
    </>
  );
}
