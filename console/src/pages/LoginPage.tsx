/**
 * Sign in (SPEC §10): e-mail and password, then the second factor when the API asks for it (a code
 * from the authenticator app, or a recovery code), or the Enable 2FA wizard when the account requires
 * 2FA and the operator has none yet; or **Sign in with a passkey** (also offered in the e-mail field's
 * autofill where the browser can), without a password. The tokens are kept by the session module: the access token in
 * memory, the refresh token in the HttpOnly cookie the API sets.
 */
import { Link } from 'react-aria-components';
import { useNavigate, useSearchParams } from 'react-router';
import { afterSignIn } from '../app/guards.tsx';
import { AuthCard, SignInFlow } from '../components/auth.tsx';

export default function LoginPage() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  return (
    <AuthCard title="Sign in to Portcullis">
      <SignInFlow passkeys onSignedIn={() => void navigate(afterSignIn(search))} />
      <p className="auth-links">
        <Link href="/forgot-password">Forgot password?</Link> · <Link href="/signup">Create an account</Link>
      </p>
    </AuthCard>
  );
}
