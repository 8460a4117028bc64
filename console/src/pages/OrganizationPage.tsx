import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function OrganizationPage() {
  return (
    <>
      <PageHeader title="Organization settings" />
      <p>Not built yet.</p>
    </>
  );
}
