import { defineCheck } from '../../core/check.ts';
import { clusterResult, missing } from './lib.ts';

const MANUAL = ['None', 'Unmanaged'];

export default defineCheck({
  id: 'AKS.NODES.2',
  slug: 'aks-node-os-upgrade-channel',
  title: 'AKS nodes receive OS security updates automatically',
  provider: 'azure',
  service: 'aks',
  severity: 'low',
  category: 'nodes',
  needs: ['aks:ListManagedClusters'],
  reads: [
    'aks:ListManagedClusters autoUpgradeProfile.nodeOSUpgradeChannel',
    'aks:ListManagedClusters autoUpgradeProfile.upgradeChannel (evidence only)',
  ],
  frameworks: {},
  risk: 'With nodeOSUpgradeChannel None, nodes get no OS security updates; with Unmanaged, only the in-node unattended-upgrades, without reboot coordination or node-image refresh. Either way nodes drift behind published fixes.',
  remediation: {
    text: 'Set the node OS upgrade channel to NodeImage (or SecurityPatch) and add a planned maintenance window.',
    cli: 'az aks update --resource-group <rg> --name <cluster> --node-os-upgrade-channel NodeImage',
    url: 'https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image',
  },
  references: ['https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image'],
  severityRationale: 'Low: a process setting; AKS.NODES.1 reports the resulting lag itself.',
  evaluate(s) {
    const channel = s.cluster.autoUpgradeProfile?.nodeOSUpgradeChannel;
    if (!channel) return [missing(s, 'autoUpgradeProfile.nodeOSUpgradeChannel', 'the node OS upgrade channel')];
    const evidence = {
      nodeOSUpgradeChannel: channel,
      upgradeChannel: s.cluster.autoUpgradeProfile?.upgradeChannel ?? null,
    };
    return MANUAL.includes(channel)
      ? [
          clusterResult(
            s,
            'FAIL',
            `nodeOSUpgradeChannel is ${channel}: nodes do not get OS security updates from AKS`,
            evidence,
          ),
        ]
      : [clusterResult(s, 'PASS', `nodeOSUpgradeChannel is ${channel}`, evidence)];
  },
});
