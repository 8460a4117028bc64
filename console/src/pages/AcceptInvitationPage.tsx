import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function AcceptInvitationPage() {
  return (
    <>
      <PageHeader title="Accept invitation" />
      <p>Not built yet.</p>
    </>
  );
}
