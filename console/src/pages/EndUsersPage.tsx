import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function EndUsersPage() {
  return (
    <>
      <PageHeader title="End users" />
      <p>Not built yet.</p>
    </>
  );
}
