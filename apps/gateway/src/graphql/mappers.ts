import type { ChangeResult } from '../commands/command.service';
import type { DeploymentRow, HostRow, JobRow } from '@berth/read-model';
import type { ChangeResultModel } from './models/change.model';
import type { DeploymentModel } from './models/deployment.model';
import type { HostModel } from './models/host.model';
import type { JobModel } from './models/job.model';

export function toDeploymentModel(row: DeploymentRow): DeploymentModel {
  return row as DeploymentModel;
}

export function toJobModel(row: JobRow): JobModel {
  return { id: row.id, name: row.name, version: row.version, job: row.job as unknown as Record<string, unknown>, deployments: row.deployments.map(toDeploymentModel) };
}

export function toHostModel(row: HostRow): HostModel {
  const { kind: _kind, ...host } = row;
  return { ...host, labels: { ...host.labels }, info: { ...host.info }, jobCount: row.deployments.length, deployments: row.deployments.map(toDeploymentModel) };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function toChangeModel(result: ChangeResult): ChangeResultModel {
  const ports = result['ports'];
  return {
    sequence: result.sequence,
    jobId: optionalString(result['jobId']),
    host: optionalString(result['host']),
    status: optionalString(result['status']),
    ports: typeof ports === 'object' && ports !== null ? (ports as Record<string, number>) : undefined,
    result: { ...result },
  };
}
