/**
 * The phone number a pairing code is asked for (issue 19 §1), as WhatsApp needs it: international
 * format, digits only, no leading zero, at most 15 digits (E.164). Pure; the API and the session
 * host both check with it, so a bad number never reaches Baileys (which would put it in a JID).
 */
const DIGITS = /^[1-9]\d{6,14}$/;

/** Digits of `input` (spaces, dashes, dots, brackets and one leading `+` allowed), or null. */
export function pairingPhoneDigits(input: string): string | null {
  const trimmed = input.trim();
  const digits = trimmed.replace(/^\+/, '').replace(/[\s().-]/g, '');
  return DIGITS.test(digits) ? digits : null;
}

export const PAIRING_PHONE_RULE = 'a phone number in international format: 7 to 15 digits with the country code, no leading 0 (e.g. +1 555 000 1111)';
