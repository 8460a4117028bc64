import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function AuditLogPage() {
  return (
    <>
      <PageHeader title="Audit log" />
      <p>Not built yet.</p>
    </>
  );
}
