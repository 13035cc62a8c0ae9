/**
 * The password policy of draft-behera-ldap-password-policy as OpenLDAP's ppolicy overlay applies it,
 * plus Cairn's quality rules. Durations are seconds; 0 means "no limit" as in the draft.
 */
export interface PasswordPolicy {
  /** The policy entry's DN. */
  dn: string;
  minLength: number;
  maxLength: number;
  /** 0: no quality checks, 1: check what can be checked, 2: refuse what cannot be checked (a pre-hashed value). */
  checkQuality: number;
  inHistory: number;
  minAge: number;
  maxAge: number;
  expireWarning: number;
  graceAuthNLimit: number;
  graceExpiry: number;
  lockout: boolean;
  maxFailure: number;
  failureCountInterval: number;
  lockoutDuration: number;
  mustChange: boolean;
  allowUserChange: boolean;
  safeModify: boolean;
  minUpper: number;
  minLower: number;
  minDigit: number;
  minSpecial: number;
  /** How many of the four classes (upper, lower, digit, special) a password needs. */
  minClasses: number;
  rejectPersonal: boolean;
  blocklist: boolean;
}

/** The password-policy response control's error values (draft-behera section 6.2). */
export const PolicyError = {
  passwordExpired: 0,
  accountLocked: 1,
  changeAfterReset: 2,
  passwordModNotAllowed: 3,
  mustSupplyOldPassword: 4,
  insufficientPasswordQuality: 5,
  passwordTooShort: 6,
  passwordTooYoung: 7,
  passwordInHistory: 8,
  passwordTooLong: 9,
} as const;
export type PolicyErrorValue = (typeof PolicyError)[keyof typeof PolicyError];

/** What the response control carries (draft-behera section 6.2). */
export interface PolicyResponse {
  warning?: { timeBeforeExpiration: number } | { graceAuthNsRemaining: number };
  error?: PolicyErrorValue;
}

/** What a person's password may not contain when rejectPersonal is on. */
export interface PersonalData {
  uid?: string;
  givenName?: string;
  sn?: string;
  /** The part of each mail address before the @. */
  mailNames: string[];
}

/** A refused password: the rule in words (for diagnosticMessage) and the control's error value. */
export interface QualityFailure {
  error: PolicyErrorValue;
  message: string;
}
