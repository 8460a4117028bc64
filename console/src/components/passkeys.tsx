/**
 * Profile → Passkeys (SPEC §10, §11): the operator's passkeys (name, when added and last used, whether
 * the passkey is synced), **Add a passkey** (a name, then the browser's ceremony), rename, and
 * **Remove** behind a confirmation that asks the password or a code from the authenticator app (what
 * the API requires: a stolen access token alone must not remove a way in). The browser's half is
 * api/webauthn.ts; without WebAuthn the list stays and the section says the browser cannot add one.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Cell, Column, Dialog, DialogTrigger, Heading, Input, Label, Modal, Row, Table, TableBody, TableHeader, TextField } from 'react-aria-components';
import { ApiCallError, unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { PasskeyCeremonyError, webauthn } from '../api/webauthn.ts';
import { ConfirmAction } from './dialogs.tsx';
import { EmptyState, QueryState } from './feedback.tsx';
import { ConsoleForm, SubmitButton, TextInput } from './forms.tsx';
import { TableScroll } from './paging.tsx';

const passkeysKey = ['me', 'passkeys'] as const;

type Passkey = Awaited<ReturnType<typeof listPasskeys>>['items'][number];

const listPasskeys = () => unwrap(api.GET('/v2/me/passkeys'));

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Synced (backed up by a passkey provider), able to be, or bound to the one authenticator. */
function describeBackup(passkey: Passkey): string {
  if (passkey.backedUp) return 'Synced';
  if (passkey.backupEligible) return 'Can sync (not yet)';
  return 'This device only';
}

/** The Profile section. `totp`: the operator has an authenticator app, so Remove also takes its code. */
export function PasskeysSection({ totp }: { totp: boolean }) {
  const passkeys = useQuery({ queryKey: passkeysKey, queryFn: listPasskeys });
  return (
    <section className="panel" aria-labelledby="passkeys-title">
      <Heading level={2} id="passkeys-title">
        Passkeys
      </Heading>
      <p>Sign in without your password: the passkey stays on your device (or in your password manager) and is unlocked with its fingerprint, face or PIN.</p>
      <QueryState query={passkeys}>
        {({ items }) =>
          items.length === 0 ? (
            <EmptyState>You have no passkeys yet.</EmptyState>
          ) : (
            <TableScroll label="Your passkeys">
              <Table aria-labelledby="passkeys-title" className="table">
                <TableHeader>
                  <Column isRowHeader>Name</Column>
                  <Column>Added</Column>
                  <Column>Last used</Column>
                  <Column>Synced</Column>
                  <Column>
                    <span className="visually-hidden">Actions</span>
                  </Column>
                </TableHeader>
                <TableBody items={items}>
                  {(passkey) => (
                    <Row id={passkey.id}>
                      <Cell>{passkey.name}</Cell>
                      <Cell>{when.format(new Date(passkey.createdAt))}</Cell>
                      <Cell>{passkey.lastUsedAt ? when.format(new Date(passkey.lastUsedAt)) : 'Never'}</Cell>
                      <Cell>{describeBackup(passkey)}</Cell>
                      <Cell>
                        <div className="passkey-actions">
                          <RenamePasskey passkey={passkey} />
                          <RemovePasskey passkey={passkey} totp={totp} />
                        </div>
                      </Cell>
                    </Row>
                  )}
                </TableBody>
              </Table>
            </TableScroll>
          )
        }
      </QueryState>
      {webauthn.supported() ? (
        <AddPasskey />
      ) : (
        <p className="hint" role="note">
          This browser cannot use passkeys, so none can be added here. Open the console in a recent Chrome, Edge, Firefox or Safari to add one.
        </p>
      )}
    </section>
  );
}

/** A name, then options → the browser's ceremony → the credential registered under that name. */
function AddPasskey() {
  const queryClient = useQueryClient();
  const [added, setAdded] = useState<string>();
  const add = useMutation({
    mutationFn: async ({ name }: { name: string; form: HTMLFormElement }) => {
      const { flowId, publicKey } = await unwrap(api.POST('/v2/me/passkeys/options'));
      const response = await webauthn.register(publicKey);
      return unwrap(api.POST('/v2/me/passkeys', { body: { flowId, name, response } }));
    },
    onMutate: () => {
      setAdded(undefined);
    },
    onSuccess: (passkey, { form }) => {
      form.reset();
      setAdded(passkey.name);
      void queryClient.invalidateQueries({ queryKey: passkeysKey });
    },
  });
  // The ceremony's end is said calmly beside the button; the API's problems go through the form (detail, field errors).
  const ceremony = add.error instanceof PasskeyCeremonyError && add.error.reason !== 'aborted' ? add.error.message : undefined;
  return (
    <ConsoleForm
      className="passkey-add"
      fields={['name']}
      error={add.error instanceof ApiCallError ? add.error : undefined}
      onSubmit={(values, form) => {
        add.mutate({ name: values.name ?? '', form });
      }}
    >
      <TextInput name="name" label="Passkey name" description="To tell your passkeys apart, e.g. the device or password manager that keeps it." autoComplete="off" isRequired />
      <SubmitButton isPending={add.isPending}>Add a passkey</SubmitButton>
      {ceremony ? (
        <p role="status" className="hint">
          {ceremony}
        </p>
      ) : null}
      {added !== undefined ? (
        <p role="status" className="ok">
          Passkey “{added}” added. You can sign in with it now.
        </p>
      ) : null}
    </ConsoleForm>
  );
}

function RenamePasskey({ passkey }: { passkey: Passkey }) {
  const queryClient = useQueryClient();
  const rename = useMutation({
    mutationFn: ({ name }: { name: string; close: () => void }) =>
      unwrap(api.PATCH('/v2/me/passkeys/{passkeyId}', { params: { path: { passkeyId: passkey.id } }, body: { name } })),
    onSuccess: async (_answer, { close }) => {
      await queryClient.invalidateQueries({ queryKey: passkeysKey });
      close();
    },
  });
  return (
    <DialogTrigger
      onOpenChange={() => {
        rename.reset();
      }}
    >
      <Button className="button" aria-label={`Rename passkey ${passkey.name}`}>
        Rename
      </Button>
      <Modal isDismissable className="modal">
        <Dialog className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title">Rename passkey</Heading>
              <ConsoleForm
                fields={['name']}
                error={rename.error}
                onSubmit={(values) => {
                  rename.mutate({ name: values.name ?? '', close });
                }}
              >
                <TextInput name="name" label="Passkey name" defaultValue={passkey.name} autoComplete="off" isRequired autoFocus />
                <div className="dialog-actions">
                  <Button className="button" onPress={close}>
                    Cancel
                  </Button>
                  <SubmitButton isPending={rename.isPending}>Save name</SubmitButton>
                </div>
              </ConsoleForm>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}

function RemovePasskey({ passkey, totp }: { passkey: Passkey; totp: boolean }) {
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  return (
    <ConfirmAction
      label="Remove"
      ariaLabel={`Remove passkey ${passkey.name}`}
      title={`Remove the passkey “${passkey.name}”?`}
      confirmLabel="Remove passkey"
      onConfirm={async () => {
        await unwrap(
          api.DELETE('/v2/me/passkeys/{passkeyId}', { params: { path: { passkeyId: passkey.id } }, body: totp && code !== '' ? { code } : { password } }),
        );
        setCode('');
        setPassword('');
        await queryClient.invalidateQueries({ queryKey: passkeysKey });
      }}
    >
      <p>
        It no longer signs you in, here or on any device that has it. {totp ? 'Confirm with a code from your authenticator app, or with your password.' : 'Confirm with your password.'}
      </p>
      {totp ? (
        <TextField className="field" value={code} onChange={setCode} inputMode="numeric" autoComplete="one-time-code">
          <Label>Authentication code</Label>
          <Input />
        </TextField>
      ) : null}
      <TextField className="field" value={password} onChange={setPassword} type="password" autoComplete="current-password">
        <Label>{totp ? 'Or your password' : 'Password'}</Label>
        <Input />
      </TextField>
    </ConfirmAction>
  );
}
