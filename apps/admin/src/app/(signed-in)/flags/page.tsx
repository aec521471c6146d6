import type { Metadata } from "next";

import { FlagsPage } from "../../../flags/flags-page";

export const metadata: Metadata = { title: "Flags" };

export default function Page() {
  return <FlagsPage />;
}
