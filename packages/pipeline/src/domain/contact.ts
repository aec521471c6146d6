// The visitor's contact details as value objects: each parse/find function returns a validated,
// normalised value or null, never a raw string.
export { findEmail, findEmails, parseEmail, getEmailDomain } from "./email";
export type { Email } from "./email";
export { findPhone, parsePhone, DEFAULT_COUNTRY } from "./phone";
export type { CountryCode, Phone } from "./phone";
export { findPersonName, parsePersonName } from "./person-name";
export type { PersonName } from "./person-name";
export { findCompany, parseCompany } from "./company";
export type { Company } from "./company";
export { findJobTitle, parseJobTitle, rateSeniority } from "./job-title";
export type { JobTitle, Seniority } from "./job-title";
export { isFreeMailDomain } from "./free-mail";
