"""The sweep store: one Zarr store, written chunk by chunk, readable as xarray at any time.

Layout (Zarr format 2, consolidated metadata)::

    STORE/                   one family: the family's dataset at the root;
    STORE/<family>/          several: one group per family (open with xr.open_datatree)
    STORE/.rdp-done/<key>    an empty file per finished chunk (written after its data)

Each family's dataset has dims ``(*swept parameters, P, D)`` and the variables

- ``rate``, ``lower``, ``upper`` (float, in ``units``; ``inf`` where infeasible),
  ``feasible`` (bool), ``status`` (str, see [`rdp.status.Status`][rdp.status.Status]),
  ``certified`` (bool, [`rdp.status.is_certified`][rdp.status.is_certified] at ``tol``),
  ``iterations`` (int) and ``seconds`` (float: the chunk's compute time divided
  by its points, so ``seconds.sum()`` is the sweep's compute time) per point;
- ``min_distortion``, ``zero_rate_distortion`` (float) per problem and P;
- ``method`` (str) and ``tol`` (float, the gap tolerance in ``units`` at which its
  points are certified) per problem.

Points of chunks not yet run hold NaN and status ``''``. The root attributes
hold the spec (``rdp_sweep_spec``, JSON), its fingerprint, the library version
and the chunk block. Zarr chunks are the sweep's blocks, so each finished chunk
writes whole Zarr chunks and a killed run leaves every finished chunk intact.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from rdp.batch.spec import Chunk, Family, SweepSpec
from rdp.result import SurfaceResult

__all__ = ["DONE_DIR", "SweepStore", "open_sweep", "to_surface"]

#: Folder of the per-chunk completion markers inside the store.
DONE_DIR = ".rdp-done"
STATUS_DTYPE = "<U16"
METHOD_DTYPE = "<U96"
#: Per-point variables: name -> (dtype, fill value).
POINT_VARIABLES = {
    "rate": ("float64", np.nan),
    "lower": ("float64", np.nan),
    "upper": ("float64", np.nan),
    "feasible": ("bool", False),
    "status": (STATUS_DTYPE, ""),
    "certified": ("bool", False),
    "iterations": ("int64", -1),
    "seconds": ("float64", np.nan),
}
ROW_VARIABLES = ("min_distortion", "zero_rate_distortion")
#: Files of a store besides its arrays and groups (Zarr metadata and the chunk markers).
STORE_FILES = frozenset({".zattrs", ".zgroup", ".zmetadata", DONE_DIR})


class SweepStore:
    """A sweep's Zarr store: create or check it, record chunks, read it back.

    Parameters
    ----------
    path : str or Path
        The store (a folder).
    spec : SweepSpec
        The sweep it holds.
    """

    def __init__(self, path: str | Path, spec: SweepSpec) -> None:
        self.path = Path(path)
        self.spec = spec
        self._groups: dict[str, Any] = {}

    # ------------------------------------------------------------ creating and checking
    def prepare(self, *, overwrite: bool = False) -> set[str]:
        """Create the store, or check it holds this spec; return the finished chunk keys.

        Only a sweep store is ever replaced: a folder whose attributes carry
        this library's sweep fingerprint and that holds nothing but the store.
        A store of another spec is refused with ``ValueError`` unless
        ``overwrite``; a file, a folder with other content, and the current
        folder or one of its parents are refused whatever ``overwrite`` says.
        An empty folder is used as the store. The store's folder is checked to
        be writable (a probe file) before any work.
        """
        from rdp._paths import check_folder

        where = repr(str(self.path))
        if self.path.is_symlink():
            raise ValueError(
                f"{where} is a symbolic link; give the store's real path (a link is never replaced)"
            )
        replace = False
        if self.path.exists():
            if not self.path.is_dir():
                raise ValueError(
                    f"{where} is a file, not a sweep store; it is never replaced: choose another "
                    "--out (store)"
                )
            held = self._fingerprint()
            foreign = self._foreign_entries(held is not None)
            if foreign:
                shown = ", ".join(repr(name) for name in foreign[:3])
                more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
                what = "is a sweep store that also holds" if held else "holds"
                raise ValueError(
                    f"{where} {what} files that are not part of a sweep store ({shown}{more}); "
                    "only a sweep store is ever replaced, so this folder is left as it is: "
                    "choose another --out (store)"
                )
            if held == self.spec.fingerprint and not overwrite:
                check_folder(self.path, "store", create=False)
                self._check_layout()
                return self.finished()
            if held and not overwrite:
                raise ValueError(
                    f"{where} holds a different sweep spec; use another --out, or --overwrite "
                    "(overwrite=True) to replace it"
                )
            if _holds_cwd(self.path):
                raise ValueError(
                    f"{where} is the current folder or holds it; a sweep store is never made "
                    "there: choose another --out (store)"
                )
            replace = True
        check_folder(self.path, "store", create=False)
        self._create(replace=replace)
        return set()

    def _check_layout(self) -> None:
        """``ValueError`` when a store to resume lacks a variable of this layout.

        Stores written before points carried ``certified`` (and problems ``tol``) cannot
        be resumed: their finished points were never judged by the one predicate.
        """
        for fam in self.spec.families:
            group = self.path if len(self.spec.families) == 1 else self.path / fam.name
            # Zarr format 2: every array is a folder with its .zarray
            missing = [
                n for n in (*POINT_VARIABLES, "tol") if not (group / n / ".zarray").is_file()
            ]
            if missing:
                raise ValueError(
                    f"{str(self.path)!r} was written by an earlier rdp (no {', '.join(missing)}); "
                    "resume is not possible: use another --out, or --overwrite (overwrite=True)"
                )

    def _foreign_entries(self, is_store: bool) -> list[str]:
        """Names in the folder that a sweep store does not hold (all of them if not a store)."""
        names = sorted(p.name for p in self.path.iterdir())
        if not is_store:
            return names
        try:
            meta = json.loads((self.path / ".zmetadata").read_text())["metadata"]
        except (OSError, ValueError, KeyError, TypeError):
            return [n for n in names if n not in STORE_FILES]
        own = {key.split("/")[0] for key in meta} | STORE_FILES
        return [n for n in names if n not in own]

    def _fingerprint(self) -> str | None:
        """The sweep fingerprint in the folder's ``.zattrs`` (None: not a sweep store)."""
        meta = self.path / ".zattrs"
        try:
            held = json.loads(meta.read_text()).get("rdp_sweep_fingerprint")
        except (OSError, ValueError, AttributeError):
            return None
        return held if isinstance(held, str) and held else None

    def _create(self, *, replace: bool = False) -> None:
        """Write the empty store next to ``path``, then move it in place (never half made).

        ``replace``: ``path`` is an existing store (or an empty folder), moved
        aside and deleted only once the new store is in place.
        """
        import zarr

        from rdp._version import __version__

        attrs = {
            "rdp_sweep_spec": json.dumps(self.spec.raw, sort_keys=True, default=str),
            "rdp_sweep_fingerprint": self.spec.fingerprint,
            "rdp_version": __version__,
            "rdp_sweep_block": json.dumps(self.spec.block),
            "rdp_sweep_chunks": len(self.spec.chunks()),
            "units": self.spec.units,
        }
        single = len(self.spec.families) == 1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", dir=self.path.parent))
        try:
            if not single:
                root = zarr.open_group(str(staging), mode="w", zarr_format=2)
                root.attrs.update(attrs)
            for fam in self.spec.families:
                ds = self._template(fam)
                if single:
                    ds.attrs.update(attrs)
                ds.to_zarr(
                    str(staging),
                    group=None if single else fam.name,
                    mode="w" if single else "a",
                    zarr_format=2,
                    compute=False,
                    consolidated=False,
                    encoding=self._encoding(ds),
                )
            zarr.consolidate_metadata(str(staging))
            (staging / DONE_DIR).mkdir()
            old = None
            if replace:
                old = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.old.", dir=self.path.parent))
                self.path.rename(old / "store")
            staging.rename(self.path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _template(self, fam: Family):
        import dask.array as da
        import xarray as xr

        dims = (*fam.dims, "P", "D")
        shape = (*fam.shape, fam.P.size, fam.D.size)
        chunks = (*(1 for _ in fam.dims), self.spec.block["P"], self.spec.block["D"])
        data = {
            name: (dims, da.full(shape, fill, dtype=dtype, chunks=chunks))
            for name, (dtype, fill) in POINT_VARIABLES.items()
        }
        for name in ROW_VARIABLES:
            data[name] = (
                dims[:-1],
                da.full(shape[:-1], np.nan, dtype="float64", chunks=chunks[:-1]),
            )
        data["method"] = (
            fam.dims,
            da.full(fam.shape, "", dtype=METHOD_DTYPE, chunks=chunks[:-2] or -1),
        )
        data["tol"] = (
            fam.dims,
            da.full(fam.shape, np.nan, dtype="float64", chunks=chunks[:-2] or -1),
        )
        coords = {d: np.asarray(fam.coords[d]) for d in fam.dims}
        coords["P"] = fam.P
        coords["D"] = fam.D
        attrs = {
            "family": fam.name,
            "units": self.spec.units,
            "fixed": json.dumps(fam.fixed, sort_keys=True, default=repr),
        }
        ds = xr.Dataset(data, coords=coords, attrs=attrs)
        ds["rate"].attrs["units"] = self.spec.units
        ds["seconds"].attrs["long_name"] = "compute time per point, averaged over its chunk"
        return ds

    def _encoding(self, ds) -> dict[str, dict]:
        out = {}
        for name, var in ds.data_vars.items():
            chunks = tuple(c[0] for c in var.chunks) if var.chunks else None
            out[name] = {"chunks": chunks}
        return out

    # ------------------------------------------------------------ chunks
    def finished(self) -> set[str]:
        """Keys of the chunks whose results are in the store."""
        folder = self.path / DONE_DIR
        return {p.name for p in folder.iterdir()} if folder.is_dir() else set()

    def write(self, chunk: Chunk, result: dict[str, Any]) -> None:
        """Write one chunk's results into its block, then mark the chunk finished."""
        group = self._group(chunk.family)
        block = (*chunk.index, chunk.P_slice, chunk.D_slice)
        points = max(chunk.points, 1)
        values = dict(result)
        values["seconds"] = np.full(
            (chunk.P.size, chunk.D.size), float(result["seconds"]) / points, dtype=float
        )
        for name in POINT_VARIABLES:
            array = group[name]
            array[block] = np.asarray(values[name]).astype(array.dtype)
        for name in ROW_VARIABLES:
            group[name][(*chunk.index, chunk.P_slice)] = np.asarray(values[name], dtype=float)
        for name in ("method", "tol"):
            if chunk.index:
                group[name][chunk.index] = result[name]
            else:
                group[name][...] = result[name]
        marker = self.path / DONE_DIR / chunk.key
        marker.touch()

    def _group(self, family: str) -> Any:
        if family not in self._groups:
            import zarr

            path = None if len(self.spec.families) == 1 else family
            root = zarr.open_group(str(self.path), mode="r+", zarr_format=2)
            self._groups[family] = root if path is None else root[path]
        return self._groups[family]

    # ------------------------------------------------------------ reading
    def statuses(self, chunk: Chunk) -> tuple[np.ndarray, np.ndarray]:
        """The stored status of the points of ``chunk``, and whether each is certified."""
        group = self._group(chunk.family)
        block = (*chunk.index, chunk.P_slice, chunk.D_slice)
        return np.asarray(group["status"][block]), np.asarray(group["certified"][block])

    def load(self):
        """The store's results (see ``open_sweep``), read into memory."""
        return open_sweep(self.path).load()


def _holds_cwd(path: Path) -> bool:
    """Whether ``path`` is the current folder or one of its parents."""
    from rdp._paths import inside_or_equal

    try:
        return inside_or_equal(Path.cwd(), path)
    except OSError:  # the current folder was deleted
        return False


def open_sweep(path: str | Path):
    """Open a sweep store: an ``xarray.Dataset`` (one family) or ``xarray.DataTree``.

    The arrays are read lazily, without Dask (``.load()`` reads them; ``.chunk()``
    makes them Dask arrays).
    """
    import xarray as xr

    path = Path(path)
    meta = path / ".zattrs"
    if not meta.is_file():
        raise ValueError(f"{str(path)!r} is not a sweep store (no .zattrs)")
    if (path / "rate").is_dir():
        return xr.open_zarr(str(path), consolidated=True, chunks=None)
    return xr.open_datatree(str(path), engine="zarr", consolidated=True, chunks=None)


def to_surface(ds) -> SurfaceResult:
    """One problem's (P, D) slice of a sweep dataset as a ``SurfaceResult``.

    ``ds`` is a dataset with dims ``P`` and ``D`` only, e.g.
    ``data.sel(p=0.1, perception="tv")``; the result plots with
    [`rdp.plot.plot_level_sets`][rdp.plot.surface.plot_level_sets] and
    [`rdp.plot.plot_surface`][rdp.plot.surface.plot_surface].
    """
    if set(ds["rate"].dims) != {"P", "D"}:
        raise ValueError(
            f"select one problem first (e.g. ds.sel(p=0.1)); the rate has dims {ds['rate'].dims}"
        )
    ds = ds.transpose(..., "P", "D")
    units = str(ds.attrs.get("units", "bits"))
    perception = str(ds["perception"].values) if "perception" in ds.coords else "P"
    return SurfaceResult(
        D=np.asarray(ds["D"].values, dtype=float),
        P=np.asarray(ds["P"].values, dtype=float),
        rate=np.asarray(ds["rate"].values, dtype=float),
        lower=np.asarray(ds["lower"].values, dtype=float),
        upper=np.asarray(ds["upper"].values, dtype=float),
        feasible=np.asarray(ds["feasible"].values, dtype=bool),
        min_distortion=np.asarray(ds["min_distortion"].values, dtype=float),
        zero_rate_distortion=np.asarray(ds["zero_rate_distortion"].values, dtype=float),
        status=np.asarray(ds["status"].values).astype(str),
        units=units,
        method=str(ds["method"].values),
        tol=float(ds["tol"].values),
        iterations=np.asarray(ds["iterations"].values, dtype=int),
        perception_label=f"P ({perception})",
        rate_label=f"R ({units})",
    )
