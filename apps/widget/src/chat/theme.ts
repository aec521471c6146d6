/**
 * The site's theme as CSS custom properties. The colour is the site owner's
 * free text: anything that is not a colour falls back to the default, and the
 * text on it is black or white, whichever reads better.
 */
import type { Theme } from "@leadline/validators/chat";

export const DEFAULT_COLOR = "#2563eb";
const DARK_TEXT = "#111827";
const LIGHT_TEXT = "#ffffff";

export function resolveThemeColors(theme: Pick<Theme, "primaryColor">, isColor: (value: string) => boolean): { accent: string; onAccent: string } {
  const accent = isColor(theme.primaryColor) ? theme.primaryColor : DEFAULT_COLOR;
  return { accent, onAccent: pickTextColor(accent) };
}

/** White unless the background is light (WCAG relative luminance); non-hex colours get white. */
export function pickTextColor(background: string): string {
  const rgb = parseHex(background);
  if (!rgb) return LIGHT_TEXT;
  const [r, g, b] = rgb.map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white is (1.05)/(L+0.05), with near-black (L+0.05)/0.05: equal near L = 0.18.
  return luminance > 0.18 ? DARK_TEXT : LIGHT_TEXT;
}

function parseHex(color: string): [number, number, number] | null {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  const hex = match?.[1];
  if (!hex) return null;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}
