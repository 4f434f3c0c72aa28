/**
 * The Kubernetes objects of a worker fleet, typed with kubernetes-models (each `.validate()`s
 * against the Kubernetes OpenAPI schema). `build.ts` writes them as YAML beside a kustomization;
 * test/deploy/kubernetes.test.ts checks the files are current and valid.
 */
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { CPU_REQUEST, memoryLimitMiB, memoryRequestMiB, SESSIONS_PER_WORKER } from './sizing.js';

export const APP = 'wa-gateway-worker';
export const PORT = 3001;
const labels = { 'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': 'worker' };

/** HOST_STOP_TIMEOUT_MS: IPC stop → SIGTERM after it → SIGKILL after it again. */
export const HOST_STOP_TIMEOUT_MS = 10_000;
/** Above both host deadlines plus event delivery, so SIGTERM always ends in a clean flush. */
export const TERMINATION_GRACE_SECONDS = 60;

/** Non-secret configuration (every name is in .env.example). */
export const CONFIG: Record<string, string> = {
  PORT: String(PORT),
  HOST: '0.0.0.0',
  DATA_DIR: '/data',
  MAX_SESSIONS: String(SESSIONS_PER_WORKER),
  BACKEND_URL: 'http://whatsam-backend:8000',
  BACKEND_PROFILE: 'whatsam',
  STORAGE_DRIVER: 'minio',
  MINIO_ENDPOINT: 'minio',
  MINIO_PORT: '9000',
  MINIO_USE_SSL: 'false',
  MINIO_BUCKET: 'whatsapp-sessions',
  HOST_STOP_TIMEOUT_MS: String(HOST_STOP_TIMEOUT_MS),
  LOG_FORMAT: 'json',
  LOG_LEVEL: 'info',
};

/** Secret names; values are set by the operator (empty here: the worker refuses to start). */
export const SECRET_KEYS = ['WORKER_AUTH_TOKEN', 'MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY', 'AUTH_ENCRYPTION_KEY', 'METRICS_TOKEN'] as const;

export function configMap(): ConfigMap {
  return new ConfigMap({ metadata: { name: `${APP}-config`, labels }, data: CONFIG });
}

export function secret(): Secret {
  return new Secret({
    metadata: { name: `${APP}-secrets`, labels },
    type: 'Opaque',
    stringData: Object.fromEntries(SECRET_KEYS.map((k) => [k, ''])),
  });
}

export function headlessService(): Service {
  return new Service({
    metadata: { name: APP, labels },
    spec: {
      clusterIP: 'None',
      // The backend reaches each pod by its stable DNS name before the pod is ready (it probes
      // /health while the worker registers).
      publishNotReadyAddresses: true,
      selector: labels,
      ports: [{ name: 'http', port: PORT, targetPort: 'http' }],
    },
  });
}

export function statefulSet(): StatefulSet {
  return new StatefulSet({
    metadata: { name: APP, labels },
    spec: {
      serviceName: APP,
      replicas: 2,
      // Workers are independent: start them together; a rolling update replaces one at a time.
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { 'kubectl.kubernetes.io/default-container': 'worker' } },
        spec: {
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'worker',
              image: `${APP}:latest`,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: PORT }],
              envFrom: [{ configMapRef: { name: `${APP}-config` } }, { secretRef: { name: `${APP}-secrets` } }],
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                // Stable across restarts and reschedules: wa-gateway-worker-0, -1, … (lower case,
                // hyphens: already in the whatsam backend's normal form).
                { name: 'WORKER_ID', value: '$(POD_NAME)' },
                { name: 'WORKER_ENDPOINT', value: `http://$(POD_NAME).${APP}.$(POD_NAMESPACE).svc.cluster.local:${PORT}` },
              ],
              resources: {
                requests: { cpu: CPU_REQUEST, memory: `${memoryRequestMiB()}Mi` },
                limits: { memory: `${memoryLimitMiB()}Mi` },
              },
              startupProbe: { httpGet: { path: '/live', port: 'http' }, periodSeconds: 2, failureThreshold: 30 },
              livenessProbe: { httpGet: { path: '/live', port: 'http' }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 },
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
      // One volume per worker for DATA_DIR: auth cache, registry, outbox, worker id.
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
        },
      ],
    },
  });
}

export function podDisruptionBudget(): PodDisruptionBudget {
  // One worker down at a time: its sessions recover on its return (or on another worker).
  return new PodDisruptionBudget({ metadata: { name: APP, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } });
}

export function serviceMonitor(): ServiceMonitor {
  return new ServiceMonitor({
    metadata: { name: APP, labels },
    spec: {
      selector: { matchLabels: labels },
      // alerts.yml's WaWorkerDown selects up{job="wa-gateway-worker"}.
      jobLabel: 'app.kubernetes.io/name',
      endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }],
    },
  });
}

export interface RuleGroups {
  groups: { name: string; rules: Record<string, unknown>[] }[];
}

export function prometheusRule(alerts: RuleGroups): PrometheusRule {
  return new PrometheusRule({
    metadata: { name: APP, labels },
    spec: { groups: alerts.groups.map((g) => ({ name: g.name, rules: g.rules as never[] })) },
  });
}

/** File name → object, in the order kustomization lists them. */
export function manifests(alerts: RuleGroups): [string, { toJSON(): unknown; validate(): void }][] {
  return [
    ['configmap.yaml', configMap()],
    ['secret.yaml', secret()],
    ['service.yaml', headlessService()],
    ['statefulset.yaml', statefulSet()],
    ['poddisruptionbudget.yaml', podDisruptionBudget()],
    ['servicemonitor.yaml', serviceMonitor()],
    ['prometheusrule.yaml', prometheusRule(alerts)],
  ];
}
