import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function ProfilePage() {
  return (
    <>
      <PageHeader title="Profile" />
      <p>Not built yet.</p>
    </>
  );
}
