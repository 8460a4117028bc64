/**
 * Confirmation before destructive actions, and secrets shown once: React Aria's modal dialog (focus
 * trap, Escape, focus restore), never a hand-rolled one.
 */
import { useState, type ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Input, Label, Modal, TextField } from 'react-aria-components';
import { FormAlert } from './forms.tsx';
import { ApiCallError, problemMessage } from '../api/problem.ts';

export interface ConfirmActionProps {
  /** The button that opens the dialog. */
  label: ReactNode;
  /** An accessible name for the button when `label` is terse ("Revoke" in a row). */
  ariaLabel?: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Runs on confirm; the dialog closes when it resolves and shows the error when it rejects. */
  onConfirm: () => Promise<unknown>;
  destructive?: boolean;
}

export function ConfirmAction({ label, ariaLabel, title, children, confirmLabel, onConfirm, destructive = true }: ConfirmActionProps) {
  const [error, setError] = useState<unknown>();
  const [pending, setPending] = useState(false);
  return (
    <DialogTrigger onOpenChange={() => { setError(undefined); }}>
      <Button className={destructive ? 'button danger' : 'button'} {...(ariaLabel ? { 'aria-label': ariaLabel } : {})}>
        {label}
      </Button>
      <Modal isDismissable className="modal">
        <Dialog role="alertdialog" className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title">{title}</Heading>
              <div className="dialog-body">{children}</div>
              {error ? <FormAlert>{error instanceof ApiCallError ? problemMessage(error.problem) : 'Something went wrong. Try again.'}</FormAlert> : null}
              <div className="dialog-actions">
                <Button className="button" onPress={close}>
                  Cancel
                </Button>
                <Button
                  className={destructive ? 'button danger' : 'button primary'}
                  isPending={pending}
                  onPress={() => {
                    setPending(true);
                    onConfirm()
                      .then(() => { close(); })
                      .catch((failure: unknown) => { setError(failure); })
                      .finally(() => { setPending(false); });
                  }}
                >
                  {confirmLabel}
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}

/** A secret the API shows once: read-only, selectable, with a Copy button and the warning. */
export function SecretOnce({ label, value, children }: { label: string; value: string; children?: ReactNode }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret-once">
      <TextField value={value} isReadOnly className="field">
        <Label>{label}</Label>
        <Input className="mono" />
      </TextField>
      <Button
        className="button"
        onPress={() => {
          void navigator.clipboard.writeText(value).then(() => { setCopied(true); });
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
      <p className="hint">{children ?? 'This is shown once. Store it now: it cannot be shown again.'}</p>
    </div>
  );
}
