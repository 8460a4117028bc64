import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function OrganizationsPage() {
  return (
    <>
      <PageHeader title="Organizations" />
      <p>Not built yet.</p>
    </>
  );
}
