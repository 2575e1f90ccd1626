/**
 * Predefined Google Cloud roles whose grants for cluster-admin paths are known without asking IAM (issue 13): for each,
 * only the permissions that matter to those paths (`container.*` stands for every container permission). The owner
 * and editor roles hold thousands of permissions; reading them on every scan would only repeat this. Any other role
 * bound in a project (predefined or custom) is read with `iam.roles.get`, and one that cannot be read is never assumed
 * harmless.
 */
export const GCP_KNOWN_ROLES: Readonly<Record<string, readonly string[]>> = {
  'roles/owner': ['container.*', 'resourcemanager.projects.setIamPolicy'],
  'roles/editor': ['container.*'],
  'roles/viewer': [],
  'roles/browser': [],
  'roles/container.admin': ['container.*'],
  'roles/container.clusterAdmin': [
    'container.clusters.update',
    'container.clusters.create',
    'container.clusters.delete',
  ],
  'roles/container.viewer': [],
  'roles/container.clusterViewer': [],
  'roles/resourcemanager.projectIamAdmin': ['resourcemanager.projects.setIamPolicy'],
  'roles/iam.securityAdmin': ['resourcemanager.projects.setIamPolicy'],
  'roles/iam.securityReviewer': [],
};
