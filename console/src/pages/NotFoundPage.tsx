import { Link } from 'react-aria-components';
import { PageHeader } from '../components/feedback.tsx';

export default function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is no such page in the console. <Link href="/">Go to your account</Link>
      </p>
    </>
  );
}
