import { isRouteErrorResponse, useRouteError } from 'react-router';

/** A page that failed to load or render: a message, never a stack trace. */
export function RouteError() {
  const error = useRouteError();
  return (
    <main id="main" className="content">
      <h1>Something went wrong</h1>
      <p role="alert">{isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : 'The page could not be shown. Reload to try again.'}</p>
      <p>
        <a href="/">Back to the console</a>
      </p>
    </main>
  );
}
