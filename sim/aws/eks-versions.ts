import { compareMinor } from '../references.ts';
import { page, type Route } from './eks.ts';
import { AwsError, restJsonResponse } from './protocol.ts';

/** EKS reference routes: the version calendar and add-on versions, the same for every account. */
export const versionRoutes: Route[] = [
  {
    method: 'GET',
    path: ['cluster-versions'],
    action: 'DescribeClusterVersions',
    handler(_p, req, ctx) {
      const q = req.url.searchParams;
      const clusterType = q.get('clusterType');
      if (clusterType !== null && clusterType !== 'eks') {
        throw new AwsError(400, 'InvalidParameterException', `Unsupported clusterType: ${clusterType}.`);
      }
      const wanted = q.getAll('clusterVersions');
      const status = q.get('versionStatus') ?? q.get('status');
      let list = [...ctx.fleet.references.clusterVersions].sort((a, b) =>
        compareMinor(b.clusterVersion!, a.clusterVersion!),
      );
      // Without includeAll (or an explicit list), EKS describes only the versions it still supports.
      if (q.get('includeAll') !== 'true' && wanted.length === 0)
        list = list.filter((v) => v.versionStatus !== 'UNSUPPORTED');
      if (wanted.length > 0) list = list.filter((v) => wanted.includes(v.clusterVersion!));
      if (status)
        list = list.filter((v) => v.versionStatus === status.toUpperCase().replace('-', '_') || v.status === status);
      if (q.get('defaultOnly') === 'true') list = list.filter((v) => v.defaultVersion);
      const { items, nextToken } = page(list, 'cluster-versions', req, ctx);
      return restJsonResponse({ clusterVersions: items, nextToken }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['addons', 'supported-versions'],
    action: 'DescribeAddonVersions',
    handler(_p, req, ctx) {
      const q = req.url.searchParams;
      const refs = ctx.fleet.references;
      const k8s = q.get('kubernetesVersion');
      const only = q.get('addonName');
      const names = only ? [only] : refs.addonNames();
      const versions = k8s ? [k8s] : refs.clusterVersions.map((v) => v.clusterVersion!);
      const addons = names
        .map((addonName) => {
          const list =
            versions.length === 1
              ? refs.addonVersions(addonName, versions[0]!)
              : refs.addonVersions(addonName, versions[0] ?? '');
          return {
            addonName,
            type:
              addonName === 'vpc-cni' || addonName === 'coredns' || addonName === 'kube-proxy' ? 'networking' : 'other',
            publisher: 'eks',
            owner: 'aws',
            addonVersions: list.map((addonVersion, i) => ({
              addonVersion,
              architecture: ['amd64', 'arm64'],
              computeTypes: ['ec2'],
              compatibilities: versions.map((clusterVersion) => ({
                clusterVersion,
                platformVersions: ['*'],
                defaultVersion: i === 0,
              })),
              requiresConfiguration: false,
              requiresIamPermissions: false,
            })),
          };
        })
        .filter((a) => a.addonVersions.length > 0);
      const { items, nextToken } = page(addons, `addon-versions/${k8s ?? '*'}/${only ?? '*'}`, req, ctx);
      return restJsonResponse({ addons: items, nextToken }, ctx.requestId);
    },
  },
];
