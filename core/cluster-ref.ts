/**
 * One named cluster, as a scan target narrower than an account × region (issue 14: change-driven rescans).
 * `id` is the cluster's snapshot id in every cloud (EKS ARN, Azure resource id, GKE `projects/P/locations/L/clusters/C`),
 * so a ref scopes reconcile to exactly the findings whose cluster is `id`.
 */
export type ClusterRef =
  | { provider: 'aws'; id: string; accountId: string; region: string; name: string; partition: string }
  | { provider: 'azure'; id: string; accountId: string; resourceGroup: string; name: string }
  | { provider: 'gcp'; id: string; accountId: string; location: string; name: string };

export class ClusterRefError extends Error {
  override name = 'ClusterRefError';
}

const EKS_ARN = /^arn:(aws|aws-cn|aws-us-gov):eks:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9][A-Za-z0-9_-]{0,99})$/;
// Subscription ids are GUIDs; resource group names allow letters, digits, `._-()` and end without a period.
const AKS_ID =
  /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourcegroups\/([\w.()-]{1,90})\/providers\/microsoft\.containerservice\/managedclusters\/([A-Za-z0-9][A-Za-z0-9_-]{0,62})$/i;
const GKE_PATH =
  /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/(?:locations|zones)\/([a-z0-9-]+)\/clusters\/([a-z](?:[a-z0-9-]{0,38}[a-z0-9])?)$/;

/**
 * Parses what a user or an event names a cluster by: an EKS cluster ARN, an AKS resource id, or a GKE cluster path
 * (a `https://container.googleapis.com/v1/` self link is accepted too). Throws ClusterRefError naming the accepted forms.
 */
export function parseClusterRef(input: string): ClusterRef {
  const text = input.trim();
  const eks = EKS_ARN.exec(text);
  if (eks) {
    const [, partition, region, accountId, name] = eks as unknown as [string, string, string, string, string];
    return { provider: 'aws', id: text, accountId, region, name, partition };
  }
  const aks = AKS_ID.exec(text);
  if (aks) {
    const [, sub, resourceGroup, name] = aks as unknown as [string, string, string, string];
    const accountId = sub.toLowerCase();
    // Azure ids are case-insensitive; the canonical casing is the one ARM returns for the cluster.
    const id = `/subscriptions/${accountId}/resourcegroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    return { provider: 'azure', id, accountId, resourceGroup, name };
  }
  const path = text.replace(/^https:\/\/container\.googleapis\.com\/v1(?:beta1)?\//, '');
  const gke = GKE_PATH.exec(path);
  if (gke) {
    const [, accountId, location, name] = gke as unknown as [string, string, string, string];
    return {
      provider: 'gcp',
      id: `projects/${accountId}/locations/${location}/clusters/${name}`,
      accountId,
      location,
      name,
    };
  }
  throw new ClusterRefError(
    `not a cluster reference: ${JSON.stringify(input.slice(0, 200))}; expected an EKS cluster ARN ` +
      '(arn:aws:eks:REGION:ACCOUNT:cluster/NAME), an AKS resource id ' +
      '(/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME) ' +
      'or a GKE cluster path (projects/PROJECT/locations/LOCATION/clusters/NAME)',
  );
}

/**
 * The comparable form of a cluster id, whichever way it was written: GKE self links and `zones/` paths become
 * `projects/P/locations/L/clusters/C`; Azure ids (case-insensitive in ARM) are lower-cased. Scoped reconcile compares
 * these, never raw ids, so a ref from a user or an event matches the snapshot the collector made.
 */
export function clusterIdKey(id: string): string {
  const text = id.trim();
  if (text.startsWith('/subscriptions/')) return text.toLowerCase();
  const gke = GKE_PATH.exec(text.replace(/^https:\/\/container\.googleapis\.com\/v1(?:beta1)?\//, ''));
  if (gke) return `projects/${gke[1]}/locations/${gke[2]}/clusters/${gke[3]}`;
  return text;
}
