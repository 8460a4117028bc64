// The two modules of qrcode an SVG needs (qr-svg in totp.ts): its entry point also loads the PNG,
// terminal and UTF-8 renderers (and pngjs), about 40 KB of bundle no route uses.
declare module 'qrcode/lib/core/qrcode.js' {
  import type { QRCode, QRCodeOptions } from 'qrcode';

  export function create(text: string, options?: QRCodeOptions): QRCode;
}

declare module 'qrcode/lib/renderer/svg-tag.js' {
  import type { QRCode, QRCodeToStringOptions } from 'qrcode';

  export function render(qrData: QRCode, options?: QRCodeToStringOptions): string;
}
