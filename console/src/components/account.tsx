/**
 * Parts the account-level pages share: the operator's role in the selected account (to offer only the
 * buttons that role may use; the API refuses anyway and its 403 is shown), the role picker, and the
 * scope picker (all organizations, or a set of organizations and groups).
 */
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import {
  Button,
  CheckboxButton,
  CheckboxField,
  CheckboxGroup,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  RadioButton,
  RadioField,
  RadioGroup,
  Select,
  SelectValue,
  SwitchButton,
  SwitchField,
  Text,
} from 'react-aria-components';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys, useMe, useOrganizations } from '../app/queries.ts';

export type Role = 'owner' | 'manager' | 'viewer';
export type Scope = 'all' | { organizations: string[]; groups: string[] };

export const ROLES: { id: Role; label: string; description: string }[] = [
  { id: 'owner', label: 'Owner', description: 'Everything, including admins, access keys and billing.' },
  { id: 'manager', label: 'Manager', description: 'Reads and changes organizations, systems and end users in scope.' },
  { id: 'viewer', label: 'Viewer', description: 'Reads only, in scope.' },
];

/** The signed-in operator's role in this account (undefined while loading). */
export function useAccountRole(accountId: string): Role | undefined {
  const me = useMe();
  return me.data?.memberships.find((membership) => membership.accountId === accountId)?.role;
}

/** Every group of the account (all pages), for the scope picker and the names in tables. */
export function useGroups(accountId: string) {
  return useQuery({
    queryKey: keys.groups(accountId),
    queryFn: async () => {
      const all = [];
      let cursor: string | undefined;
      do {
        const page = await unwrap(api.GET('/v2/accounts/{accountId}/groups', { params: { path: { accountId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    },
  });
}

/** A scope in words, with the organizations' and groups' names where known. */
export function useScopeLabel(accountId: string): (scope: Scope) => string {
  const organizations = useOrganizations(accountId);
  const groups = useGroups(accountId);
  return (scope) => {
    if (scope === 'all') return 'All organizations';
    const names = [
      ...scope.organizations.map((id) => organizations.data?.find((organization) => organization.id === id)?.name ?? id),
      ...scope.groups.map((id) => `group ${groups.data?.find((group) => group.id === id)?.name ?? id}`),
    ];
    return names.join(', ');
  };
}

export function RoleSelect({ value, onChange, label = 'Role' }: { value: Role; onChange: (role: Role) => void; label?: string }) {
  return (
    <Select
      className="field"
      value={value}
      onChange={(key) => {
        if (key !== null) onChange(key as Role);
      }}
    >
      <Label>{label}</Label>
      <Button className="button select-button">
        <SelectValue />
        <span aria-hidden="true"> ▾</span>
      </Button>
      <Text slot="description">{ROLES.find((role) => role.id === value)?.description}</Text>
      <Popover className="popover">
        <ListBox className="listbox">
          {ROLES.map((role) => (
            <ListBoxItem key={role.id} id={role.id} textValue={role.label}>
              {role.label}
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </Select>
  );
}

/**
 * All organizations, or some: checkboxes for the account's organizations and groups. An owner is never
 * scoped (the API sets `all`), so the picker is off for that role.
 */
export function ScopePicker({ accountId, value, onChange, isDisabled }: { accountId: string; value: Scope; onChange: (scope: Scope) => void; isDisabled?: boolean }) {
  const organizations = useOrganizations(accountId);
  const groups = useGroups(accountId);
  const [kind, setKind] = useState<'all' | 'some'>(value === 'all' ? 'all' : 'some');
  const some = value === 'all' ? { organizations: [], groups: [] } : value;
  return (
    <div className="scope-picker">
      <RadioGroup
        className="radio-group"
        value={isDisabled ? 'all' : kind}
        isDisabled={isDisabled ?? false}
        onChange={(next) => {
          setKind(next as 'all' | 'some');
          onChange(next === 'all' ? 'all' : some);
        }}
      >
        <Label>Scope</Label>
        <RadioField value="all" className="radio-field">
          <RadioButton className="radio">
            <span className="radio-dot" aria-hidden="true" />
            All organizations
          </RadioButton>
        </RadioField>
        <RadioField value="some" className="radio-field">
          <RadioButton className="radio">
            <span className="radio-dot" aria-hidden="true" />
            Chosen organizations and groups
          </RadioButton>
        </RadioField>
        {isDisabled ? <Text slot="description">An owner always reaches every organization.</Text> : null}
      </RadioGroup>
      {kind === 'some' && !isDisabled ? (
        <div className="scope-choices">
          <CheckboxGroup
            className="checkbox-group"
            value={some.organizations}
            onChange={(next) => { onChange({ ...some, organizations: next }); }}
          >
            <Label>Organizations</Label>
            {(organizations.data ?? []).map((organization) => (
              <Choice key={organization.id} value={organization.id}>
                {organization.name}
              </Choice>
            ))}
            {organizations.data?.length === 0 ? <Text slot="description">No organizations yet.</Text> : null}
          </CheckboxGroup>
          <CheckboxGroup className="checkbox-group" value={some.groups} onChange={(next) => { onChange({ ...some, groups: next }); }}>
            <Label>Groups</Label>
            {(groups.data ?? []).map((group) => (
              <Choice key={group.id} value={group.id}>
                {group.name}
              </Choice>
            ))}
            {groups.data?.length === 0 ? <Text slot="description">No groups yet.</Text> : null}
          </CheckboxGroup>
        </div>
      ) : null}
    </div>
  );
}

/** One checkbox of a CheckboxGroup. */
export function Choice({ value, children }: { value: string; children: ReactNode }) {
  return (
    <CheckboxField value={value} className="checkbox-field">
      <CheckboxButton className="checkbox">
        <span className="checkbox-box" aria-hidden="true" />
        {children}
      </CheckboxButton>
    </CheckboxField>
  );
}

/** An on/off setting with its explanation (read by screen readers with the switch). */
export function SettingSwitch({
  label,
  description,
  isSelected,
  onChange,
  isDisabled,
}: {
  label: string;
  description: ReactNode;
  isSelected: boolean;
  onChange: (value: boolean) => void;
  isDisabled?: boolean;
}) {
  return (
    <SwitchField className="switch-field" isSelected={isSelected} onChange={onChange} isDisabled={isDisabled ?? false}>
      <SwitchButton className="switch">
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        {label}
      </SwitchButton>
      <Text slot="description" className="hint">
        {description}
      </Text>
    </SwitchField>
  );
}
