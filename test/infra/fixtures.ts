import type { RouteDefinition } from '#shared/http/manifest.ts';
import { directoryTags } from '#shared/routes/directory.ts';
import { mfaTags } from '#shared/routes/mfa.ts';
import { sessionTags } from '#shared/routes/sessions.ts';
import { signInTags } from '#shared/routes/sign-in.ts';

/**
 * Routes the manifest does not have yet, so that every kind of access and auth is exercised. Their
 * handler modules do not exist: template synthesis must not need them. They sit in area directories,
 * some named after the area itself (`functions/sign-in/`), the layout infra/areas.ts also accepts.
 */
export const futureRoutes: RouteDefinition[] = [
  {
    id: 'testSendPin',
    method: 'POST',
    path: '/v2/test/pin',
    handler: 'functions/sign-in/test-send-pin.ts',
    area: 'sign-in',
    tag: signInTags.authentication,
    auth: 'mfa',
    summary: 'Sends an SMS',
    request: {},
    response: { status: 202 },
    access: { table: 'write', sms: true },
  },
  {
    id: 'testEnrollTotp',
    method: 'PUT',
    path: '/v2/test/totp/{userId}',
    handler: 'functions/mfa/test-enroll-totp.ts',
    area: 'mfa',
    tag: mfaTags.mfa,
    auth: 'bearer',
    summary: 'Encrypts a TOTP secret',
    request: {},
    response: { status: 200 },
    access: { table: 'read', encryptionKey: ['totp-secrets'] },
    memoryMb: 512,
  },
  {
    id: 'testAuthenticate',
    method: 'POST',
    path: '/v2/test/authenticate',
    handler: 'functions/sign-in/test-authenticate.ts',
    area: 'sign-in',
    tag: signInTags.authentication,
    auth: 'apikey',
    summary: 'Needs an API key',
    request: {},
    response: { status: 202 },
    access: { table: 'write' },
  },
  {
    id: 'testListSystems',
    method: 'GET',
    path: '/v2/test/systems',
    handler: 'functions/directory/test-list-systems.ts',
    area: 'directory',
    tag: directoryTags.systems,
    auth: 'bearer-or-apikey',
    summary: 'Takes either credential',
    request: {},
    response: { status: 200 },
    access: { table: 'read' },
  },
  {
    id: 'testSendEmail',
    method: 'POST',
    path: '/v2/test/email',
    handler: 'functions/sessions/test-send-email.ts',
    area: 'sessions',
    tag: sessionTags.sessions,
    auth: 'public',
    summary: 'Sends an e-mail',
    request: {},
    response: { status: 202 },
    access: { table: 'write', email: true },
  },
];
