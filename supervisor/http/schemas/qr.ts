/** `GET /api/sessions/:id/qr`: JSON by default, `?format=png` for an image. */
export const QR_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { type: 'string', enum: ['json', 'png'], default: 'json' } },
} as const;

export interface QrQuery {
  format?: 'json' | 'png';
}

export const QR_DATA = {
  type: 'object',
  required: ['qr', 'expiresAt'],
  properties: {
    qr: { type: 'string', description: 'the raw string Baileys emitted (render it as a QR code, or ask ?format=png)' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;
