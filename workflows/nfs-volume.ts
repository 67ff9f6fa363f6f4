/**
 * A directory on the NFS server, offered to one claim and to nothing else: a static
 * PersistentVolume (NFSv4.1, as the user's cluster mounts it; kept when released) and the
 * PersistentVolumeClaim bound to it by name. `storageClassName: ""` on both stops a default
 * StorageClass from provisioning some other disk for the claim; `claimRef` on the volume stops
 * any other claim from taking it.
 *
 * cdk8s-plus has no NFS PersistentVolume, so the volume is the typed Kubernetes object it
 * re-exports (`k8s.KubePersistentVolume`); the claim is cdk8s-plus', bound to it by name.
 */
import { Size } from "cdk8s";
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import { PART_OF } from "./labels.ts";

/** A directory exported by an NFS server, mounted with `nfsvers=4.1` as the user's cluster does. */
export interface NfsExport {
  readonly server: string;
  readonly path: string;
}

/** A static NFS PersistentVolume and the claim bound to it. */
export interface NfsStorage {
  readonly nfs: NfsExport;
  /** The capacity the volume advertises, in whole gibibytes, e.g. `30Gi` (NFS does not enforce it). */
  readonly size: `${number}Gi`;
}

export interface NfsVolumeProps {
  readonly namespace: string;
  /** The claim's name; the volume is named `<namespace>-<name>` (volumes are cluster-wide). */
  readonly name: string;
  readonly storage: NfsStorage;
}

export class NfsVolume extends Construct {
  /** The claim a pod mounts. */
  readonly claim: kplus.PersistentVolumeClaim;
  readonly volumeName: string;

  constructor(scope: Construct, id: string, props: NfsVolumeProps) {
    super(scope, id);
    this.volumeName = `${props.namespace}-${props.name}`;
    const labels = { "app.kubernetes.io/part-of": PART_OF };
    const size = Size.gibibytes(Number(props.storage.size.slice(0, -"Gi".length)));
    // One pod mounts it at a time; NFS would allow more, the workloads on it must not.
    const accessModes = [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE];

    new kplus.k8s.KubePersistentVolume(this, "volume", {
      metadata: { name: this.volumeName, labels },
      spec: {
        capacity: { storage: kplus.k8s.Quantity.fromString(props.storage.size) },
        accessModes,
        // Deleting the claim must never delete the data.
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        mountOptions: ["nfsvers=4.1"],
        nfs: { server: props.storage.nfs.server, path: props.storage.nfs.path },
        claimRef: { namespace: props.namespace, name: props.name },
      },
    });

    this.claim = new kplus.PersistentVolumeClaim(this, "claim", {
      metadata: { name: props.name, namespace: props.namespace, labels },
      accessModes,
      storageClassName: "",
      storage: size,
      volume: kplus.PersistentVolume.fromPersistentVolumeName(this, "bound-volume", this.volumeName),
    });
  }

  /** The claim's name, as a pod's volume names it. */
  get claimName(): string {
    return this.claim.name;
  }
}
