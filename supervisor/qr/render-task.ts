/** Message shapes between the supervisor and the QR render worker (one home, as piscina does). */
export type RenderTask =
  | { kind: 'png'; qr: string; width: number; margin: number }
  | { kind: 'terminal'; qr: string };

/** Longest string a QR code can hold in byte mode at level L; Baileys' are far shorter. */
export const MAX_QR_LENGTH = 2953;
