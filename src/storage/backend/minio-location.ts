/** Where a `minio` backend's objects live, for messages and logs (never credentials). Apart from minio.ts so naming it does not load the S3 client. */
export function minioLocation(settings: { useSSL: boolean; endPoint: string; port: number; bucket: string }): string {
  return `${settings.useSSL ? 'https' : 'http'}://${settings.endPoint}:${settings.port}/${settings.bucket}`;
}
