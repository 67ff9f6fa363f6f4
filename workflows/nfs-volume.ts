/**
 * A directory on the NFS server, offered to one claim and to nothing else: a static
 * PersistentVolume (NFSv4.1, as the user's cluster mounts it; kept when released) and the
 * PersistentVolumeClaim bound to it by name. `storageClassName: ""` on both stops a default
 * StorageClass from provisioning some other disk for the claim; `claimRef` on the volume stops
 * any other claim from taking it.
 */
import type { IPersistentVolume } from "kubernetes-models/v1/PersistentVolume";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Construct } from "constructs";
import { kube } from "./kube.ts";
import { PART_OF } from "./labels.ts";

/** A directory exported by an NFS server, mounted with `nfsvers=4.1` as the user's cluster does. */
export interface NfsExport {
  readonly server: string;
  readonly path: string;
}

/** A static NFS PersistentVolume and the claim bound to it. */
export interface NfsStorage {
  readonly nfs: NfsExport;
  /** The capacity the volume advertises, e.g. `30Gi` (NFS does not enforce it). */
  readonly size: string;
}

export interface NfsVolumeProps {
  readonly namespace: string;
  /** The claim's name; the volume is named `<namespace>-<name>` (volumes are cluster-wide). */
  readonly name: string;
  readonly storage: NfsStorage;
}

export class NfsVolume extends Construct {
  /** The claim a pod mounts. */
  readonly claimName: string;
  readonly volumeName: string;

  constructor(scope: Construct, id: string, props: NfsVolumeProps) {
    super(scope, id);
    this.claimName = props.name;
    this.volumeName = `${props.namespace}-${props.name}`;
    const labels = { "app.kubernetes.io/part-of": PART_OF };

    kube<IPersistentVolume>(this, "volume", {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: this.volumeName, labels },
      spec: {
        capacity: { storage: props.storage.size },
        // One pod mounts it at a time; NFS would allow more, the workloads on it must not.
        accessModes: ["ReadWriteOnce"],
        // Deleting the claim must never delete the data.
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        mountOptions: ["nfsvers=4.1"],
        nfs: { server: props.storage.nfs.server, path: props.storage.nfs.path },
        claimRef: { namespace: props.namespace, name: this.claimName },
      },
    });

    kube<IPersistentVolumeClaim>(this, "claim", {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: this.claimName, namespace: props.namespace, labels },
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: "",
        volumeName: this.volumeName,
        resources: { requests: { storage: props.storage.size } },
      },
    });
  }
}
