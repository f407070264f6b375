import * as THREE from 'three';
import type { SceneSummary } from '../../../../shared/sim/sceneSummary';
import type { ObjectPlacement, ObjectShape } from './objectPlacement';

const TABLE_THICKNESS_M = 0.03;

function geometryFor(shape: ObjectShape): THREE.BufferGeometry {
  switch (shape.type) {
    case 'sphere':
      return new THREE.SphereGeometry(shape.radiusM, 20, 14);
    case 'ellipsoid':
      return new THREE.SphereGeometry(1, 24, 14).scale(...shape.radiiM);
    case 'box':
      return new THREE.BoxGeometry(...shape.sizeM);
    case 'cylinder':
      // three's cylinders run along y; the sim's along z.
      return new THREE.CylinderGeometry(shape.radiusM, shape.radiusM, shape.heightM, 28).rotateX(Math.PI / 2);
    case 'dish':
      // Wider at the rim than at the foot, like a plate or a bowl.
      return new THREE.CylinderGeometry(shape.radiusM, shape.radiusM * 0.7, shape.heightM, 40).rotateX(Math.PI / 2);
  }
}

function shapeKey(shape: ObjectShape): string {
  return JSON.stringify(shape);
}

/** The sim's table and objects as simple coloured shapes, base frame (z up). */
export class SimObjectMeshes {
  readonly group = new THREE.Group();
  private readonly meshes = new Map<string, { mesh: THREE.Mesh; shapeKey: string }>();
  private table: THREE.Mesh | null = null;

  get objectCount(): number {
    return this.meshes.size;
  }

  setTable(table: SceneSummary['table'] | null): void {
    if (!table) {
      this.removeTable();
      return;
    }
    if (!this.table) {
      this.table = new THREE.Mesh(
        new THREE.BoxGeometry(1, 1, TABLE_THICKNESS_M),
        new THREE.MeshStandardMaterial({ roughness: 0.85, metalness: 0 }),
      );
      this.table.receiveShadow = true;
      this.table.name = 'table';
      this.group.add(this.table);
    }
    const [sizeX, sizeY] = table.sizeM;
    this.table.scale.set(sizeX, sizeY, 1);
    this.table.position.set(table.centerM[0], table.centerM[1], -TABLE_THICKNESS_M / 2);
    (this.table.material as THREE.MeshStandardMaterial).color.set(table.color);
  }

  setObjects(placements: readonly ObjectPlacement[]): void {
    const seen = new Set<string>();
    for (const placement of placements) {
      seen.add(placement.id);
      const key = shapeKey(placement.shape);
      let entry = this.meshes.get(placement.id);
      if (entry && entry.shapeKey !== key) {
        this.removeObject(placement.id);
        entry = undefined;
      }
      if (!entry) {
        const mesh = new THREE.Mesh(
          geometryFor(placement.shape),
          new THREE.MeshStandardMaterial({ roughness: 0.5, metalness: 0 }),
        );
        mesh.name = placement.id;
        mesh.castShadow = true;
        mesh.receiveShadow = true;
        this.group.add(mesh);
        entry = { mesh, shapeKey: key };
        this.meshes.set(placement.id, entry);
      }
      entry.mesh.position.set(...placement.centreM);
      entry.mesh.rotation.set(0, 0, placement.yawRad);
      (entry.mesh.material as THREE.MeshStandardMaterial).color.set(placement.color);
    }
    for (const id of [...this.meshes.keys()]) if (!seen.has(id)) this.removeObject(id);
  }

  dispose(): void {
    for (const id of [...this.meshes.keys()]) this.removeObject(id);
    this.removeTable();
  }

  private removeObject(id: string): void {
    const entry = this.meshes.get(id);
    if (!entry) return;
    this.group.remove(entry.mesh);
    entry.mesh.geometry.dispose();
    (entry.mesh.material as THREE.Material).dispose();
    this.meshes.delete(id);
  }

  private removeTable(): void {
    if (!this.table) return;
    this.group.remove(this.table);
    this.table.geometry.dispose();
    (this.table.material as THREE.Material).dispose();
    this.table = null;
  }
}
