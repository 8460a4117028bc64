/**
 * Form parts over React Aria Components (SPEC §10: no hand-rolled widgets). A 400's field errors go
 * to the field they name through `<Form validationErrors>` (keys are the API's field names without
 * `body.`); anything else is the form's alert above the submit button.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  Button,
  CheckboxButton,
  CheckboxField,
  FieldError,
  Form as AriaForm,
  Input,
  Label,
  Text,
  TextArea,
  TextField,
  type FormProps,
  type TextFieldProps,
} from 'react-aria-components';
import { fieldErrors, problemMessage, type ApiError, ApiCallError } from '../api/problem.ts';

/** The field errors and the form-level message of a failed mutation. */
export function formErrors(error: unknown, fields: readonly string[]): { byField: Record<string, string>; message: string | undefined } {
  if (!error) return { byField: {}, message: undefined };
  const problem: ApiError = error instanceof ApiCallError ? error.problem : undefined;
  const all = fieldErrors(problem);
  const byField: Record<string, string> = {};
  for (const [name, text] of Object.entries(all)) {
    const field = fields.find((candidate) => name === candidate || name.startsWith(`${candidate}.`));
    if (field) byField[field] ??= text;
  }
  // Shown above the button unless every error found its field.
  const unplaced = Object.keys(all).length === 0 || Object.keys(byField).length === 0;
  return { byField, message: unplaced ? (error instanceof ApiCallError ? problemMessage(problem) : 'Something went wrong. Try again.') : undefined };
}

export interface ConsoleFormProps extends Omit<FormProps, 'validationErrors' | 'onSubmit'> {
  /** The mutation's error (an `ApiCallError`), mapped onto `fields`. */
  error?: unknown;
  /** The names of the form's fields, as the API names them (`email`, `policy`, …). */
  fields: readonly string[];
  onSubmit: (values: Record<string, string>, form: HTMLFormElement) => void;
  children: ReactNode;
}

/** A form whose submit hands over its values; the API's errors land beside their fields. */
export function ConsoleForm({ error, fields, onSubmit, children, ...props }: ConsoleFormProps) {
  const { byField, message } = useMemo(() => formErrors(error, fields), [error, fields]);
  // A server error given to React Aria stays on the input as its native custom validity even after
  // the field is edited, and the browser then refuses to submit the form again: a field the person
  // has edited since the error drops its error here.
  const form = useRef<HTMLFormElement>(null);
  const [edited, setEdited] = useState<{ error: unknown; names: readonly string[] }>({ error, names: [] });
  useEffect(() => {
    const element = form.current;
    if (!element || Object.keys(byField).length === 0) return;
    const onInput = (event: Event) => {
      const name = (event.target as HTMLInputElement | null)?.name;
      if (!name || !(name in byField)) return;
      // After React has handled the same event (a task later: microtasks run between listeners), else
      // the render would put the field's old value back.
      setTimeout(() => {
        setEdited((previous) => {
          const names = previous.error === error ? previous.names : [];
          return names.includes(name) ? previous : { error, names: [...names, name] };
        });
      }, 0);
    };
    element.addEventListener('input', onInput);
    return () => {
      element.removeEventListener('input', onInput);
    };
  }, [error, byField]);
  const shown = useMemo(() => {
    const editedNames = edited.error === error ? edited.names : [];
    return Object.fromEntries(Object.entries(byField).filter(([name]) => !editedNames.includes(name)));
  }, [byField, edited, error]);
  return (
    <AriaForm
      {...props}
      ref={form}
      validationErrors={shown}
      onSubmit={(event) => {
        event.preventDefault();
        const values: Record<string, string> = {};
        for (const [name, value] of new FormData(event.currentTarget)) if (typeof value === 'string') values[name] = value;
        onSubmit(values, event.currentTarget);
      }}
    >
      {children}
      {message ? <FormAlert>{message}</FormAlert> : null}
    </AriaForm>
  );
}

export function FormAlert({ children }: { children: ReactNode }) {
  return (
    <p className="form-alert" role="alert">
      {children}
    </p>
  );
}

export interface TextInputProps extends Omit<TextFieldProps, 'children'> {
  label: string;
  description?: ReactNode;
  multiline?: boolean;
}

/** A labelled text field with its description and its error (the browser's or the API's). */
export function TextInput({ label, description, multiline, ...props }: TextInputProps) {
  return (
    <TextField {...props} className="field">
      <Label>{label}</Label>
      {multiline ? <TextArea /> : <Input />}
      {description ? <Text slot="description">{description}</Text> : null}
      <FieldError />
    </TextField>
  );
}

export function CheckboxInput({
  label,
  description,
  ...props
}: {
  label: string;
  name: string;
  description?: ReactNode;
  isSelected?: boolean;
  defaultSelected?: boolean;
  onChange?: (value: boolean) => void;
}) {
  return (
    <CheckboxField {...props} className="checkbox-field">
      <CheckboxButton className="checkbox">
        <span className="checkbox-box" aria-hidden="true" />
        {label}
      </CheckboxButton>
      {description ? <Text slot="description">{description}</Text> : null}
    </CheckboxField>
  );
}

export function SubmitButton({ children, isPending }: { children: ReactNode; isPending?: boolean }) {
  return (
    <Button type="submit" className="button primary" isPending={isPending ?? false}>
      {children}
    </Button>
  );
}
