/**
 * One system (SPEC §5, §9, §10): the policy editor (factor chain, context rules, PIN and link
 * settings, token lifetime), the OAuth client (redirect URIs, signing algorithm, client secret shown
 * once), the end users granted access, and deleting the system. The API validates every value; its
 * 400 field errors (`body.policy.rules.0.if.ipCidr.1`, …) land beside the field of that name.
 * The policy form also holds the system's passkey relying party (`webauthn`, SPEC §11), saved with the
 * policy that names `passkey` (the API refuses either without the other).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { Button, Cell, Column, ComboBox, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Row, Table, TableBody, TableHeader, Text, type Key } from 'react-aria-components';
import { useNavigate, useParams } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys } from '../app/queries.ts';
import { paths, useAccountId, useOrgId } from '../app/selection.ts';
import { ConfirmAction, SecretOnce } from '../components/dialogs.tsx';
import { FactorChain, NumberInput, SelectInput, Time, type Factor, type PolicyInput, type SystemResource } from '../components/directory.tsx';
import { EmptyState, PageHeader, QueryState } from '../components/feedback.tsx';
import { FormAlert, formErrors, SubmitButton, TextInput } from '../components/forms.tsx';
import { PagedTable, useCursorPaging } from '../components/paging.tsx';

export default function SystemPage() {
  const accountId = useAccountId();
  const orgId = useOrgId();
  const systemName = useParams().systemName ?? '';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const system = useQuery({
    queryKey: keys.system(orgId, systemName),
    queryFn: () => unwrap(api.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName } } })),
  });
  return (
    <>
      <PageHeader title={`System ${systemName}`}>
        <ConfirmAction
          label="Delete system"
          title={`Delete the system ${systemName}?`}
          confirmLabel="Delete system"
          onConfirm={async () => {
            await unwrap(api.DELETE('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName } } }));
            // Leave the page first, so its query does not ask again for the system just deleted.
            await navigate(paths.organizationPage(accountId, orgId, 'systems'));
            queryClient.removeQueries({ queryKey: keys.system(orgId, systemName) });
            await queryClient.invalidateQueries({ queryKey: keys.systems(orgId) });
          }}
        >
          <p>Its end users can no longer sign in to it, and its access grants and client secret are removed. This cannot be undone.</p>
        </ConfirmAction>
      </PageHeader>
      <QueryState query={system}>
        {(loaded) => (
          <>
            {/* The forms start from the loaded system and then hold what the operator typed (a save keeps it: it is what was saved). */}
            <PolicyEditor orgId={orgId} system={loaded} />
            <OAuthClient orgId={orgId} system={loaded} />
            <Access orgId={orgId} systemName={loaded.name} />
          </>
        )}
      </QueryState>
    </>
  );
}

// ---- Policy ------------------------------------------------------------------------------------

/** A rule as the form holds it: each condition a comma-separated list (empty: no such condition). */
interface RuleDraft {
  sensitivity: string;
  ipCidr: string;
  resource: string;
  factors: Factor[];
}

const CONDITIONS = [
  { key: 'sensitivity', label: 'Sensitivity is one of', hint: 'e.g. high, critical' },
  { key: 'ipCidr', label: 'IP address is in', hint: 'CIDR blocks, e.g. 10.0.0.0/8, 2001:db8::/32' },
  { key: 'resource', label: 'Resource is one of', hint: 'e.g. /payments' },
] as const;

const list = (text: string): string[] =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

function toRuleDraft(rule: SystemResource['policy']['rules'][number]): RuleDraft {
  return { sensitivity: (rule.if.sensitivity ?? []).join(', '), ipCidr: (rule.if.ipCidr ?? []).join(', '), resource: (rule.if.resource ?? []).join(', '), factors: [...rule.factors] };
}

function toRule(draft: RuleDraft): PolicyInput['rules'] extends (infer R)[] | undefined ? R : never {
  const condition: Record<string, string[]> = {};
  for (const { key } of CONDITIONS) if (list(draft[key]).length > 0) condition[key] = list(draft[key]);
  return { if: condition, factors: draft.factors };
}

function PolicyEditor({ orgId, system }: { orgId: string; system: SystemResource }) {
  const queryClient = useQueryClient();
  const { policy } = system;
  const [factors, setFactors] = useState<Factor[]>([...policy.factors]);
  const [rules, setRules] = useState<RuleDraft[]>(policy.rules.map(toRuleDraft));
  const [pin, setPin] = useState<{ length: number | undefined; ttlSeconds: number | undefined; maxAttempts: number | undefined }>({ ...policy.pin });
  const [linkTtl, setLinkTtl] = useState<number | undefined>(policy.passwordless.ttlSeconds);
  const [tokenTtl, setTokenTtl] = useState<number | undefined>(policy.tokenTtlSeconds);
  const [passwordlessUrl, setPasswordlessUrl] = useState(system.passwordlessUrl ?? '');
  // null: passkeys off (nothing sent, or what "Turn off passkeys" saved); else the relying party as typed.
  const [webauthn, setWebauthn] = useState<WebAuthnDraft | null>(system.webauthn ? { rpId: system.webauthn.rpId, origins: [...system.webauthn.origins] } : null);
  const [saved, setSaved] = useState(false);

  const save = useMutation({
    mutationFn: (body: { policy: PolicyInput; passwordlessUrl: string | null; webauthn?: WebAuthnDraft }) =>
      unwrap(api.PATCH('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.system(orgId, system.name), updated);
      void queryClient.invalidateQueries({ queryKey: keys.systems(orgId) });
      setSaved(true);
    },
  });
  // "Turn off passkeys" saves `webauthn: null` alone (the API checks it against the saved policy).
  const turnOff = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } }, body: { webauthn: null } })),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.system(orgId, system.name), updated);
      void queryClient.invalidateQueries({ queryKey: keys.systems(orgId) });
      setWebauthn(null);
    },
  });

  // Most specific first: `policy.rules.0.if.ipCidr.1` belongs to the rule's IP field, `policy.rules.0.if` to the rule.
  const fields = [
    ...rules.flatMap((_, index) => [
      ...CONDITIONS.map(({ key }) => `policy.rules.${index}.if.${key}`),
      `policy.rules.${index}.factors`,
      `policy.rules.${index}`,
    ]),
    'policy.rules',
    'policy.factors',
    'policy.pin.length',
    'policy.pin.ttlSeconds',
    'policy.pin.maxAttempts',
    'policy.passwordless.ttlSeconds',
    'policy.tokenTtlSeconds',
    'passwordlessUrl',
    ...(webauthn?.origins ?? []).map((_, index) => `webauthn.origins.${index}`),
    'webauthn.origins',
    'webauthn.rpId',
    'webauthn',
  ];
  const fieldsKey = fields.join(' ');
  // One object per error: React Aria re-arms a field's server error whenever `validationErrors` is a new object.
  const { byField, message } = useMemo(() => formErrors(save.error, fieldsKey.split(' ')), [save.error, fieldsKey]);
  const optional = (key: string, value: number | undefined): Record<string, number> => (value === undefined ? {} : { [key]: value });

  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setSaved(false);
      set(value);
    };
  const updateRule = (index: number, change: Partial<RuleDraft>) => {
    setSaved(false);
    setRules((current) => current.map((rule, at) => (at === index ? { ...rule, ...change } : rule)));
  };
  const moveRule = (index: number, by: number) => {
    setRules((current) => {
      const next = [...current];
      const [rule] = next.splice(index, 1);
      if (rule) next.splice(index + by, 0, rule);
      return next;
    });
  };

  return (
    <section className="panel" aria-labelledby="policy-title">
      <h2 id="policy-title">Sign-in policy</h2>
      <Form
        validationErrors={byField}
        // The API judges every value: an error it gave never blocks sending the corrected form.
        validationBehavior="aria"
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(false);
          turnOff.reset();
          save.mutate({
            policy: {
              factors,
              rules: rules.map(toRule),
              pin: { ...optional('length', pin.length), ...optional('ttlSeconds', pin.ttlSeconds), ...optional('maxAttempts', pin.maxAttempts) },
              passwordless: { ...optional('ttlSeconds', linkTtl) },
              ...optional('tokenTtlSeconds', tokenTtl),
            },
            passwordlessUrl: passwordlessUrl.trim() === '' ? null : passwordlessUrl.trim(),
            // Trimmed, never filtered: the API's `webauthn.origins.1` must still name the second row.
            ...(webauthn ? { webauthn: { rpId: webauthn.rpId.trim(), origins: webauthn.origins.map((origin) => origin.trim()) } } : {}),
          });
        }}
      >
        <FactorChain
          legend="Factor chain"
          description="What every sign-in asks, in order, unless a rule below matches."
          factors={factors}
          onChange={(next) => { setSaved(false); setFactors(next); }}
          error={byField['policy.factors']}
        />

        <h3>Context rules</h3>
        <p className="hint">
          The sign-in request&apos;s context is matched against the rules in order; the first rule whose conditions all match replaces the factor chain (to ask more, e.g. TOTP for high sensitivity, or less, e.g. a magic link inside the office network).
        </p>
        {rules.length === 0 ? <EmptyState>No rule: every sign-in uses the factor chain above.</EmptyState> : null}
        {rules.map((rule, index) => (
          <fieldset className="rule" key={index}>
            <legend>Rule {index + 1}</legend>
            {CONDITIONS.map(({ key, label, hint }) => (
              <TextInput
                key={key}
                name={`policy.rules.${index}.if.${key}`}
                label={label}
                description={`Comma-separated; leave empty for no such condition. ${hint}`}
                value={rule[key]}
                onChange={(value) => { updateRule(index, { [key]: value }); }}
              />
            ))}
            {byField[`policy.rules.${index}`] ? <p className="field-error">{byField[`policy.rules.${index}`]}</p> : null}
            <FactorChain
              legend={`Rule ${index + 1} factor chain`}
              factors={rule.factors}
              onChange={(next) => { updateRule(index, { factors: next }); }}
              error={byField[`policy.rules.${index}.factors`]}
            />
            <div className="row-actions">
              <Button className="button small" isDisabled={index === 0} onPress={() => { moveRule(index, -1); }} aria-label={`Move rule ${index + 1} up`}>
                Up
              </Button>
              <Button className="button small" isDisabled={index === rules.length - 1} onPress={() => { moveRule(index, 1); }} aria-label={`Move rule ${index + 1} down`}>
                Down
              </Button>
              <Button className="button small" onPress={() => { setRules((current) => current.filter((_, at) => at !== index)); }} aria-label={`Remove rule ${index + 1}`}>
                Remove rule
              </Button>
            </div>
          </fieldset>
        ))}
        {byField['policy.rules'] ? <p className="field-error">{byField['policy.rules']}</p> : null}
        <Button
          className="button"
          onPress={() => {
            setSaved(false);
            setRules((current) => [...current, { sensitivity: '', ipCidr: '', resource: '', factors: [...factors] }]);
          }}
        >
          Add rule
        </Button>

        <h3>PIN settings</h3>
        <p className="hint">For PINs by SMS and by e-mail alike.</p>
        <div className="field-row">
          <NumberInput label="PIN length" name="policy.pin.length" value={pin.length} onChange={edit((value: number | undefined) => { setPin({ ...pin, length: value }); })} description="Digits." />
          <NumberInput label="PIN lifetime (seconds)" name="policy.pin.ttlSeconds" value={pin.ttlSeconds} onChange={edit((value: number | undefined) => { setPin({ ...pin, ttlSeconds: value }); })} />
          <NumberInput label="PIN attempts" name="policy.pin.maxAttempts" value={pin.maxAttempts} onChange={edit((value: number | undefined) => { setPin({ ...pin, maxAttempts: value }); })} description="Wrong PINs before the challenge dies." />
        </div>

        <h3>Magic-link settings</h3>
        <p className="hint">For magic links by SMS and by e-mail alike.</p>
        <TextInput
          name="passwordlessUrl"
          label="Magic-link URL"
          type="url"
          description="An https URL of your application; the link is this URL with ?token=…. Empty: none (then the chain cannot use a magic link)."
          value={passwordlessUrl}
          onChange={edit(setPasswordlessUrl)}
        />
        <NumberInput label="Link lifetime (seconds)" name="policy.passwordless.ttlSeconds" value={linkTtl} onChange={edit(setLinkTtl)} />

        <PasskeySettings
          system={system}
          draft={webauthn}
          onChange={edit(setWebauthn)}
          errors={byField}
          turnOffError={turnOff.error}
          onTurnOff={() => {
            setSaved(false);
            save.reset();
            // A refusal is shown beside the settings, where the API's field is: the dialog closes either way.
            return turnOff.mutateAsync().catch(() => undefined);
          }}
        />

        <h3>Tokens</h3>
        <NumberInput label="Token lifetime (seconds)" name="policy.tokenTtlSeconds" value={tokenTtl} onChange={edit(setTokenTtl)} description="How long the token of a completed sign-in is valid." />

        {message ? <FormAlert>{message}</FormAlert> : null}
        <SubmitButton isPending={save.isPending}>Save policy</SubmitButton>
        {saved ? (
          <p role="status" className="ok">
            Policy saved.
          </p>
        ) : null}
      </Form>
    </section>
  );
}

// ---- Passkeys ----------------------------------------------------------------------------------

/** A system's WebAuthn relying party as the form holds it (SPEC §11). */
interface WebAuthnDraft {
  rpId: string;
  origins: string[];
}

/** Whether the saved policy names `passkey` (in its chain or in a rule's): then the API keeps `webauthn`. */
const namesPasskey = (policy: SystemResource['policy']): boolean => [policy.factors, ...policy.rules.map((rule) => rule.factors)].some((chain) => chain.includes('passkey'));

/**
 * The relying party of the system's end users' passkeys: the RP ID and the origins, saved with the
 * policy. "Turn off passkeys" (confirmed) saves `webauthn: null` on its own; while the saved policy
 * still names passkey the API refuses, and its reason shows here, beside the settings it names.
 */
function PasskeySettings({
  system,
  draft,
  onChange,
  errors,
  turnOffError,
  onTurnOff,
}: {
  system: SystemResource;
  draft: WebAuthnDraft | null;
  onChange: (next: WebAuthnDraft | null) => void;
  /** The policy form's field errors (`webauthn`, `webauthn.rpId`, `webauthn.origins.0`, …). */
  errors: Record<string, string>;
  turnOffError: unknown;
  onTurnOff: () => Promise<unknown>;
}) {
  const hintId = useId();
  const errorId = useId();
  const originsHintId = useId();
  const refused = formErrors(turnOffError, ['webauthn']);
  const error = errors.webauthn ?? refused.byField.webauthn;
  const setOrigins = (change: (origins: string[]) => string[]) => {
    if (draft) onChange({ ...draft, origins: change(draft.origins) });
  };
  const hostedLoginHost = window.location.hostname;

  return (
    <div className="passkey-settings" role="group" aria-labelledby="passkey-settings-title" aria-describedby={error ? `${hintId} ${errorId}` : hintId}>
      <h3 id="passkey-settings-title">Passkeys</h3>
      <p className="hint" id={hintId}>
        Needed for the Passkey factor. The RP ID is the domain your end users&apos; passkeys are bound to: it must be the host of each origin below or a parent domain of it. For the
        hosted login it must also cover the hosted login&apos;s host, <span className="mono">{hostedLoginHost}</span> (e.g. <span className="mono">example.com</span> for{' '}
        <span className="mono">auth.example.com</span> and <span className="mono">app.example.com</span>). Passkeys registered under one RP ID do not work under another.
      </p>
      {draft === null ? <EmptyState>Passkeys are off for this system.</EmptyState> : null}
      {draft !== null ? (
        <>
          <TextInput
            name="webauthn.rpId"
            label="RP ID"
            description="A domain name such as example.com (localhost while developing)."
            // Right after "Set up passkeys" (the button is gone): the keyboard goes on from here.
            autoFocus={system.webauthn === null}
            value={draft.rpId}
            onChange={(rpId) => { onChange({ ...draft, rpId }); }}
          />
          <fieldset className="uri-list" aria-describedby={originsHintId}>
            <legend>Origins</legend>
            <p className="hint" id={originsHintId}>
              Where your app runs the passkey ceremonies, exactly as browsers write them: https://host[:port], no path.
            </p>
            {draft.origins.length === 0 ? <EmptyState>No origin.</EmptyState> : null}
            {draft.origins.map((origin, index) => (
              <div className="uri-row" key={index}>
                <TextInput
                  name={`webauthn.origins.${index}`}
                  label={`Origin ${index + 1}`}
                  type="url"
                  value={origin}
                  onChange={(value) => { setOrigins((origins) => origins.map((other, at) => (at === index ? value : other))); }}
                />
                <Button className="button small" aria-label={`Remove origin ${index + 1}`} onPress={() => { setOrigins((origins) => origins.filter((_, at) => at !== index)); }}>
                  Remove
                </Button>
              </div>
            ))}
            {errors['webauthn.origins'] ? <p className="field-error">{errors['webauthn.origins']}</p> : null}
            <Button className="button" onPress={() => { setOrigins((origins) => [...origins, '']); }}>
              Add origin
            </Button>
          </fieldset>
        </>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId} role="alert">
          Passkeys: {error}
        </p>
      ) : null}
      {refused.message ? <FormAlert>{refused.message}</FormAlert> : null}
      <div className="row-actions">
        {draft === null ? (
          <Button className="button" onPress={() => { onChange({ rpId: '', origins: [''] }); }}>
            Set up passkeys
          </Button>
        ) : null}
        {draft !== null && system.webauthn === null ? (
          <Button className="button" onPress={() => { onChange(null); }}>
            Cancel passkey setup
          </Button>
        ) : null}
        {system.webauthn !== null ? (
          <ConfirmAction
            label="Turn off passkeys"
            title="Turn off passkeys?"
            confirmLabel="Turn off passkeys"
            onConfirm={onTurnOff}
          >
            <p>End users of {system.name} can no longer sign in with a passkey, through your app or the hosted login. Their passkeys stay registered for {system.webauthn.rpId}.</p>
            {namesPasskey(system.policy) ? <p>The saved policy still asks for a passkey: remove Passkey from the factor chain and every rule and save the policy first, or the API refuses.</p> : null}
          </ConfirmAction>
        ) : null}
      </div>
    </div>
  );
}

// ---- OAuth client ------------------------------------------------------------------------------

function OAuthClient({ orgId, system }: { orgId: string; system: SystemResource }) {
  const queryClient = useQueryClient();
  const [uris, setUris] = useState<string[]>([...system.redirectUris]);
  const [alg, setAlg] = useState<Key | null>(system.tokenSigningAlg);
  const [saved, setSaved] = useState(false);
  // The secret lives in this component's state only: gone on reload, never in the URL or the query cache.
  const [secret, setSecret] = useState<{ clientId: string; clientSecret: string }>();
  const path = { orgId, systemName: system.name };

  const save = useMutation({
    mutationFn: (body: { redirectUris: string[]; tokenSigningAlg: 'ES256' | 'RS256' }) =>
      unwrap(api.PATCH('/v2/organizations/{orgId}/systems/{systemName}', { params: { path }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.system(orgId, system.name), updated);
      setSaved(true);
    },
  });
  const fieldsKey = [...uris.map((_, index) => `redirectUris.${index}`), 'redirectUris', 'tokenSigningAlg'].join(' ');
  const { byField, message } = useMemo(() => formErrors(save.error, fieldsKey.split(' ')), [save.error, fieldsKey]);

  const rotate = async () => {
    const answer = await unwrap(api.POST('/v2/organizations/{orgId}/systems/{systemName}/secret', { params: { path } }));
    setSecret(answer);
    await queryClient.invalidateQueries({ queryKey: keys.system(orgId, system.name), exact: true });
  };

  return (
    <section className="panel" aria-labelledby="oauth-title">
      <h2 id="oauth-title">OAuth client</h2>
      <p className="hint">
        For the hosted login (OpenID Connect): client id <span className="mono">{system.name}</span>.
      </p>
      <Form
        validationErrors={byField}
        // The API judges every value: an error it gave never blocks sending the corrected form.
        validationBehavior="aria"
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(false);
          save.mutate({ redirectUris: uris.map((uri) => uri.trim()).filter((uri) => uri !== ''), tokenSigningAlg: alg === 'RS256' ? 'RS256' : 'ES256' });
        }}
      >
        <fieldset className="uri-list" aria-describedby="redirect-uris-hint">
          <legend>Redirect URIs</legend>
          <p className="hint" id="redirect-uris-hint">
            Where the hosted login may send the user back, compared exactly.
          </p>
          {uris.length === 0 ? <EmptyState>No redirect URI.</EmptyState> : null}
          {uris.map((uri, index) => (
            <div className="uri-row" key={index}>
              <TextInput
                name={`redirectUris.${index}`}
                label={`Redirect URI ${index + 1}`}
                type="url"
                value={uri}
                onChange={(value) => { setSaved(false); setUris((current) => current.map((other, at) => (at === index ? value : other))); }}
              />
              <Button className="button small" aria-label={`Remove redirect URI ${index + 1}`} onPress={() => { setUris((current) => current.filter((_, at) => at !== index)); }}>
                Remove
              </Button>
            </div>
          ))}
          {byField.redirectUris ? <p className="field-error">{byField.redirectUris}</p> : null}
          <Button className="button" onPress={() => { setSaved(false); setUris((current) => [...current, '']); }}>
            Add redirect URI
          </Button>
        </fieldset>
        <SelectInput
          label="Token signing algorithm"
          name="tokenSigningAlg"
          items={[
            { id: 'ES256', label: 'ES256 (ECDSA P-256)' },
            { id: 'RS256', label: 'RS256 (RSA)' },
          ]}
          selectedKey={alg}
          onSelectionChange={(key) => { setSaved(false); setAlg(key); }}
          description="RS256 for verifiers that accept RSA only (e.g. API Gateway JWT authorizers)."
        />
        {message ? <FormAlert>{message}</FormAlert> : null}
        <SubmitButton isPending={save.isPending}>Save OAuth settings</SubmitButton>
        {saved ? (
          <p role="status" className="ok">
            OAuth settings saved.
          </p>
        ) : null}
      </Form>

      <h3>Client secret</h3>
      {secret ? (
        <SecretOnce label={`Client secret of ${secret.clientId}`} value={secret.clientSecret}>
          This is shown once. Store it now: it cannot be shown again, and the token endpoint now requires it.
        </SecretOnce>
      ) : null}
      <p>
        {system.hasClientSecret ? 'This system has a client secret (a confidential client).' : 'No client secret: a public client (PKCE only).'}
      </p>
      <div className="row-actions">
        {system.hasClientSecret ? (
          <>
            <ConfirmAction label="Rotate secret" title="Rotate the client secret?" confirmLabel="Rotate secret" onConfirm={rotate}>
              <p>The current secret stops working at once; the new one is shown once.</p>
            </ConfirmAction>
            <ConfirmAction
              label="Delete secret"
              title="Delete the client secret?"
              confirmLabel="Delete secret"
              onConfirm={async () => {
                await unwrap(api.DELETE('/v2/organizations/{orgId}/systems/{systemName}/secret', { params: { path } }));
                setSecret(undefined);
                await queryClient.invalidateQueries({ queryKey: keys.system(orgId, system.name), exact: true });
              }}
            >
              <p>The system becomes a public client again: the token endpoint then accepts PKCE alone.</p>
            </ConfirmAction>
          </>
        ) : (
          <CreateSecretButton onCreate={rotate} />
        )}
      </div>
    </section>
  );
}

function CreateSecretButton({ onCreate }: { onCreate: () => Promise<void> }) {
  const create = useMutation({ mutationFn: onCreate });
  return (
    <>
      <Button className="button" isPending={create.isPending} onPress={() => { create.mutate(); }}>
        Create secret
      </Button>
      {create.error ? <FormAlert>{formErrors(create.error, []).message}</FormAlert> : null}
    </>
  );
}

// ---- Access ------------------------------------------------------------------------------------

const ACCESS_PAGE_SIZE = 25;

function Access({ orgId, systemName }: { orgId: string; systemName: string }) {
  const queryClient = useQueryClient();
  const paging = useCursorPaging();
  const path = { orgId, systemName };
  const grants = useQuery({
    queryKey: [...keys.access(orgId, systemName), paging.cursor ?? ''],
    queryFn: () =>
      unwrap(api.GET('/v2/organizations/{orgId}/systems/{systemName}/access', { params: { path, query: { limit: ACCESS_PAGE_SIZE, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.access(orgId, systemName) });
  return (
    <section className="panel" aria-labelledby="access-title">
      <h2 id="access-title">Access</h2>
      <p className="hint">The end users who may sign in to this system.</p>
      <PagedTable query={grants} paging={paging} tableLabel="Access table" pagerLabel="Access" empty="Nobody has access yet.">
        {(page) => (
          <Table aria-label="End users with access">
            <TableHeader>
              <Column isRowHeader>End user</Column>
              <Column>Granted</Column>
              <Column>Actions</Column>
            </TableHeader>
            <TableBody items={page.items}>
              {(grant) => (
                <Row id={grant.userId}>
                  <Cell>{grant.email}</Cell>
                  <Cell>
                    <Time value={grant.createdAt} />
                  </Cell>
                  <Cell>
                    <ConfirmAction
                      label="Revoke"
                      ariaLabel={`Revoke access of ${grant.email}`}
                      title={`Revoke access of ${grant.email}?`}
                      confirmLabel="Revoke access"
                      onConfirm={async () => {
                        await unwrap(api.DELETE('/v2/organizations/{orgId}/systems/{systemName}/access/{userId}', { params: { path: { ...path, userId: grant.userId } } }));
                        await refresh();
                      }}
                    >
                      <p>They can no longer sign in to {systemName}.</p>
                    </ConfirmAction>
                  </Cell>
                </Row>
              )}
            </TableBody>
          </Table>
        )}
      </PagedTable>
      <GrantAccess orgId={orgId} systemName={systemName} onGranted={refresh} />
    </section>
  );
}

/** Pick an end user (a ComboBox over the organization's end users, filtered as you type) and grant access. */
function GrantAccess({ orgId, systemName, onGranted }: { orgId: string; systemName: string; onGranted: () => Promise<unknown> }) {
  const [userId, setUserId] = useState<Key | null>(null);
  const [text, setText] = useState('');
  const [granted, setGranted] = useState<string>();
  const users = useQuery({
    queryKey: [...keys.endUsers(orgId), 'picker'],
    queryFn: () => unwrap(api.GET('/v2/organizations/{orgId}/users', { params: { path: { orgId }, query: { limit: 100 } } })),
  });
  const needle = text.trim().toLowerCase();
  const items = (users.data?.items ?? [])
    .filter((user) => needle === '' || `${user.email} ${user.name ?? ''}`.toLowerCase().includes(needle))
    .map((user) => ({ id: user.id, label: user.name ? `${user.email} (${user.name})` : user.email }));
  const grant = useMutation({
    mutationFn: (id: string) => unwrap(api.PUT('/v2/organizations/{orgId}/systems/{systemName}/access/{userId}', { params: { path: { orgId, systemName, userId: id } } })),
    onSuccess: async () => {
      setGranted(text);
      setUserId(null);
      setText('');
      await onGranted();
    },
  });
  const { message } = formErrors(grant.error, []);
  return (
    <Form
      className="grant-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (userId !== null) grant.mutate(String(userId));
      }}
    >
      <h3>Grant access</h3>
      <ComboBox
        className="field"
        items={items}
        inputValue={text}
        onInputChange={(value) => { setText(value); setGranted(undefined); }}
        value={userId}
        onChange={(key) => {
          setUserId(key);
          const picked = items.find((item) => item.id === key);
          if (picked) setText(picked.label);
        }}
        menuTrigger="focus"
      >
        <Label>End user</Label>
        <Input />
        <Text slot="description">Type to search this organization&apos;s end users by e-mail or name.</Text>
        <FieldError />
        <Popover className="popover">
          <ListBox className="listbox" renderEmptyState={() => <span className="empty">{users.isPending ? 'Loading…' : 'No end user matches.'}</span>}>
            {(item: { id: string; label: string }) => (
              <ListBoxItem id={item.id} className="option">
                {item.label}
              </ListBoxItem>
            )}
          </ListBox>
        </Popover>
      </ComboBox>
      {message ? <FormAlert>{message}</FormAlert> : null}
      <Button type="submit" className="button primary" isDisabled={userId === null} isPending={grant.isPending}>
        Grant access
      </Button>
      {granted ? (
        <p role="status" className="ok">
          Access granted to {granted}.
        </p>
      ) : null}
    </Form>
  );
}
