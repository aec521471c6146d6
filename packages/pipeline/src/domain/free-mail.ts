// Consumer mailbox providers: an address there says nothing about the visitor's employer.
const FREE_MAIL_DOMAINS = new Set([
  "gmail.com", "googlemail.com", "ymail.com", "rocketmail.com", "msn.com", "icloud.com", "me.com",
  "mac.com", "aol.com", "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "mail.com",
  "web.de", "zoho.com", "zohomail.com", "mail.ru", "inbox.ru", "qq.com", "163.com", "126.com",
  "tutanota.com", "tuta.io", "fastmail.com", "hushmail.com", "att.net", "comcast.net",
  "verizon.net", "sbcglobal.net", "btinternet.com", "orange.fr", "free.fr", "libero.it",
  "t-online.de", "seznam.cz", "rediffmail.com", "naver.com", "hanmail.net",
]);
// Brands with a domain per country: yahoo.co.uk, hotmail.fr, outlook.de, gmx.net …
const FREE_MAIL_BRANDS = new Set(["yahoo", "hotmail", "outlook", "live", "gmx", "yandex", "windowslive"]);

export function isFreeMailDomain(domain: string): boolean {
  const lower = domain.toLowerCase();
  if (FREE_MAIL_DOMAINS.has(lower)) return true;
  const labels = lower.split(".");
  return labels.length <= 3 && FREE_MAIL_BRANDS.has(labels[0] ?? "");
}
