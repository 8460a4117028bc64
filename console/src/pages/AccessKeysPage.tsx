import { PageHeader } from '../components/feedback.tsx';

// PLACEHOLDER (issue 19): this page is not built yet.
export default function AccessKeysPage() {
  return (
    <>
      <PageHeader title="Access keys" />
      <p>Not built yet.</p>
    </>
  );
}
