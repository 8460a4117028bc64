/**
 * Parts of the organization pages (systems, end users, access, audit): the factor-chain editor, a
 * labelled Select and NumberField over React Aria, and the directory's types as the typed client
 * declares them (a contract change breaks this file's build, not a user's session).
 */
import { useId, useState, type ReactNode } from 'react';
import {
  Button,
  FieldError,
  GridList,
  GridListItem,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  TextField,
  Popover,
  Select,
  SelectValue,
  Text,
  type Key,
} from 'react-aria-components';
import type { RequestBody, SuccessBody } from '../../../client/index.ts';

export type SystemResource = SuccessBody<'/v2/organizations/{orgId}/systems/{systemName}', 'get'>;
export type Policy = SystemResource['policy'];
export type PolicyInput = NonNullable<RequestBody<'/v2/organizations/{orgId}/systems/{systemName}', 'patch'>['policy']>;
export type Factor = Policy['factors'][number];
export type EndUserResource = SuccessBody<'/v2/organizations/{orgId}/users/{userId}', 'get'>;
export type AuditEventResource = SuccessBody<'/v2/accounts/{accountId}/events', 'get'>['items'][number];

/** The factors the API knows (SPEC §5), in the order the picker offers them, with their names for people. */
export const FACTOR_LABELS: Record<Factor, string> = {
  pin: 'PIN by SMS',
  passwordless: 'Magic link by SMS',
  totp: 'Authenticator app (TOTP)',
  email_pin: 'PIN by e-mail',
  email_link: 'Magic link by e-mail',
  passkey: 'Passkey',
};
export const FACTORS = Object.keys(FACTOR_LABELS) as Factor[];

/**
 * An ordered factor chain: a list with Move up / Move down / Remove on every row (no drag-only
 * ordering) and a picker to add a factor not yet in the chain. `error` is the API's message for the
 * chain (`policy.factors`, `policy.rules.0.factors`, …), shown beneath it.
 */
export function FactorChain({ legend, factors, onChange, error, description }: { legend: string; factors: Factor[]; onChange: (next: Factor[]) => void; error?: string | undefined; description?: ReactNode }) {
  const [adding, setAdding] = useState<Key | null>(null);
  const errorId = useId();
  const available = FACTORS.filter((factor) => !factors.includes(factor));
  const move = (index: number, by: number) => {
    const next = [...factors];
    const [factor] = next.splice(index, 1);
    if (factor) next.splice(index + by, 0, factor);
    onChange(next);
  };
  return (
    <fieldset className="factor-chain" {...(error ? { 'aria-describedby': errorId } : {})}>
      <legend>{legend}</legend>
      {description ? <p className="hint">{description}</p> : null}
      <GridList
        aria-label={`${legend}: factors in order`}
        className="chain-list"
        selectionMode="none"
        renderEmptyState={() => <span className="empty">No factor: add one below.</span>}
      >
        {factors.map((factor, index) => (
          <GridListItem key={factor} id={factor} textValue={FACTOR_LABELS[factor]} className="chain-item">
            <span className="chain-name">
              {index + 1}. {FACTOR_LABELS[factor]}
            </span>
            <span className="chain-actions">
              <Button className="button small" aria-label={`Move ${FACTOR_LABELS[factor]} up`} isDisabled={index === 0} onPress={() => { move(index, -1); }}>
                Up
              </Button>
              <Button className="button small" aria-label={`Move ${FACTOR_LABELS[factor]} down`} isDisabled={index === factors.length - 1} onPress={() => { move(index, 1); }}>
                Down
              </Button>
              <Button className="button small" aria-label={`Remove ${FACTOR_LABELS[factor]}`} onPress={() => { onChange(factors.filter((other) => other !== factor)); }}>
                Remove
              </Button>
            </span>
          </GridListItem>
        ))}
      </GridList>
      {available.length > 0 ? (
        <div className="chain-add">
          <SelectInput
            label="Add a factor"
            items={available.map((factor) => ({ id: factor, label: FACTOR_LABELS[factor] }))}
            selectedKey={adding !== null && available.includes(adding as Factor) ? adding : null}
            onSelectionChange={setAdding}
            placeholder="Choose a factor"
          />
          <Button
            className="button"
            isDisabled={adding === null || !available.includes(adding as Factor)}
            onPress={() => {
              if (adding !== null) onChange([...factors, adding as Factor]);
              setAdding(null);
            }}
          >
            Add factor
          </Button>
        </div>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export interface SelectInputProps {
  label: string;
  name?: string;
  items: { id: string; label: string }[];
  selectedKey: Key | null;
  onSelectionChange: (key: Key | null) => void;
  placeholder?: string;
  description?: ReactNode;
}

/** A labelled Select (React Aria: a button and a listbox popover), its description and its error. */
export function SelectInput({ label, name, items, selectedKey, onSelectionChange, placeholder, description }: SelectInputProps) {
  return (
    <Select
      className="field"
      {...(name ? { name } : {})}
      value={selectedKey}
      onChange={onSelectionChange}
      {...(placeholder ? { placeholder } : {})}
    >
      <Label>{label}</Label>
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      {description ? <Text slot="description">{description}</Text> : null}
      <FieldError />
      <Popover className="popover">
        <ListBox items={items} className="listbox">
          {(item) => (
            <ListBoxItem id={item.id} className="option">
              {item.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}

/**
 * A labelled whole-number field: a React Aria TextField with the numeric keyboard. Not a NumberField:
 * it commits its value only on blur or Enter, and it clamps and reformats what was typed, while here
 * the value sent is exactly the text shown. No bounds here: the API says what is out of range or not a number, next to the field (its
 * `name` is the API's path, e.g. `policy.pin.length`). Empty is `undefined`; text that is no number is
 * `NaN`, sent as `null` for the API to refuse.
 */
export function NumberInput({ label, name, value, onChange, description }: { label: string; name: string; value: number | undefined; onChange: (value: number | undefined) => void; description?: ReactNode }) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  return (
    <TextField
      className="field"
      name={name}
      value={text}
      inputMode="numeric"
      onChange={(next) => {
        setText(next);
        onChange(next.trim() === '' ? undefined : Number(next.trim()));
      }}
    >
      <Label>{label}</Label>
      <Input />
      {description ? <Text slot="description">{description}</Text> : null}
      <FieldError />
    </TextField>
  );
}

/** A date-time of the API as the operator's locale shows it (the ISO value in `dateTime`). */
export function Time({ value }: { value: string }) {
  return <time dateTime={value}>{new Date(value).toLocaleString()}</time>;
}
