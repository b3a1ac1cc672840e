// Small line icons for the devices list (desktop, phone, tablet), drawn inline so they follow the
// text colour in light and dark mode. Decorative: the device name beside them says the same.
import type { DeviceType } from "../src/sessions/device";

const PATHS: Record<DeviceType, string> = {
  desktop: "M3 4h18v12H3z M8 20h8 M12 16v4",
  phone: "M7 2h10v20H7z M11 18h2",
  tablet: "M4 3h16v18H4z M11 18h2",
  other: "M4 4h16v16H4z M9 9h6v6H9z",
};

export function DeviceIcon({ type }: { type: DeviceType }) {
  return (
    <svg
      class="device-icon"
      viewBox="0 0 24 24"
      width="20"
      height="20"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      stroke-width="1.75"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d={PATHS[type]} />
    </svg>
  );
}
