/**
 * Every English string of the e-mails, in one place. A second language is a second file of the
 * same type (`EmailCatalogue`), chosen in shared/compose/shared.ts.
 */
import type { EmailCatalogue } from '../email.ts';

const IGNORE = 'If you did not ask for this, you can ignore this message: nothing changes until the link is used.';
const NOT_YOU = 'If this was not you, reset your password at once and tell an owner of your account.';

export const en: EmailCatalogue = {
  signupVerification: ({ accountName, url, hours }) => ({
    subject: `Confirm your e-mail address to create ${accountName}`,
    paragraphs: [`Someone (we hope you) asked to create the Portcullis account "${accountName}" with this e-mail address.`, 'Follow the link to confirm the address and create the account.'],
    action: { label: 'Confirm and create the account', url },
    footer: [`The link works once, for ${String(hours)} hours.`, IGNORE],
  }),
  signupExistingOperator: ({ loginUrl, resetUrl }) => ({
    subject: 'You already have a Portcullis sign-in',
    paragraphs: ['Someone (we hope you) tried to sign up with this e-mail address, which already has a Portcullis sign-in. No new account was created.'],
    action: { label: 'Sign in', url: loginUrl },
    footer: [`Forgot your password? Reset it here: ${resetUrl}`, 'If this was not you, you can ignore this message.'],
  }),
  invitation: ({ accountName, inviterEmail, role, url, expiresAt }) => ({
    subject: `You are invited to join ${accountName} on Portcullis`,
    paragraphs: [
      `${inviterEmail ?? 'The administrators of this Portcullis deployment'} invited you to join the account "${accountName}" as ${role}.`,
      'Follow the link to accept. If you are new to Portcullis you will choose a password; if you already sign in to Portcullis, sign in first.',
    ],
    action: { label: 'Accept the invitation', url },
    footer: [`The invitation expires at ${expiresAt} (UTC).`, 'If you did not expect this invitation, you can ignore it.'],
  }),
  passwordReset: ({ url, minutes }) => ({
    subject: 'Reset your Portcullis password',
    paragraphs: ['Someone (we hope you) asked to reset the password of the Portcullis sign-in with this e-mail address.'],
    action: { label: 'Choose a new password', url },
    footer: [`The link works once, for ${String(minutes)} minutes. Resetting signs you out everywhere; your two-factor authentication stays on.`, IGNORE],
  }),
  passwordChanged: ({ at }) => ({
    subject: 'Your Portcullis password was changed',
    paragraphs: [`The password of your Portcullis sign-in was changed at ${at} (UTC). Your other sessions were signed out.`],
    footer: [NOT_YOU],
  }),
  passwordResetDone: ({ at }) => ({
    subject: 'Your Portcullis password was reset',
    paragraphs: [`The password of your Portcullis sign-in was reset with an e-mailed link at ${at} (UTC). Every session was signed out.`],
    footer: [NOT_YOU],
  }),
  mfaDisabled: ({ at }) => ({
    subject: 'Two-factor authentication was turned off',
    paragraphs: [`Two-factor authentication of your Portcullis sign-in was turned off at ${at} (UTC). Your recovery codes no longer work.`],
    footer: [NOT_YOU],
  }),
  passkeyAdded: ({ at, name }) => ({
    subject: 'A passkey was added to your sign-in',
    paragraphs: [`A passkey named "${name}" was added to your Portcullis sign-in at ${at} (UTC). It can now sign you in without your password.`],
    footer: [NOT_YOU],
  }),
  mfaResetByOwner: ({ at, accountName }) => ({
    subject: 'Your two-factor authentication was reset',
    paragraphs: [
      `An owner of the account "${accountName}" reset the two-factor authentication of your Portcullis sign-in at ${at} (UTC).`,
      'Your authenticator app and recovery codes no longer work; set up two-factor authentication again after you sign in.',
    ],
    footer: ['If you did not ask for this, contact the owners of that account.'],
  }),
  signInPin: ({ organizationName, pin, minutes }) => ({
    // Not the PIN: subjects travel further than bodies (mail-server logs, previews of mailbox lists).
    subject: `${organizationName}: your sign-in code`,
    paragraphs: [`Your ${organizationName} sign-in code is ${pin}`],
    footer: [`It works once, for ${String(minutes)} minutes. Never share it: ${organizationName} will not ask you for it.`, 'If you did not try to sign in, you can ignore this message.'],
  }),
  signInLink: ({ organizationName, url, minutes }) => ({
    subject: `${organizationName}: your sign-in link`,
    paragraphs: [`Follow the link to sign in to ${organizationName}.`],
    action: { label: 'Sign in', url },
    footer: [`It works once, for ${String(minutes)} minutes.`, 'If you did not try to sign in, you can ignore this message.'],
  }),
};
