"""The .pyi stubs are kept in step with the native module, and the package is marked typed."""

from __future__ import annotations

import ast
import inspect
import pathlib

import entra_consent
from entra_consent import _native

PACKAGE = pathlib.Path(entra_consent.__file__).parent


def stub_tree() -> ast.Module:
    return ast.parse((PACKAGE / "_native.pyi").read_text())


def public(names: "list[str]") -> "set[str]":
    return {n for n in names if not n.startswith("_") or n == "__version__"}


def test_py_typed_ships() -> None:
    assert (PACKAGE / "py.typed").exists()


def test_every_native_name_has_a_stub_and_the_package_exports_it() -> None:
    tree = stub_tree()
    stubbed = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    stubbed |= {t.id for n in tree.body if isinstance(n, ast.AnnAssign) for t in [n.target] if isinstance(t, ast.Name)}
    native = public(dir(_native))
    assert native - stubbed == set(), "names without a stub"
    assert stubbed - native - {"Scopes"} == set(), "stubs of names the module lacks"
    assert set(entra_consent.__all__) == native


def test_every_native_method_has_a_stub_and_a_docstring() -> None:
    classes = {n.name: n for n in stub_tree().body if isinstance(n, ast.ClassDef)}
    for name, node in classes.items():
        cls = getattr(_native, name)
        if issubclass(cls, BaseException):
            continue
        stubbed = {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
        methods = {
            m
            for m, v in vars(cls).items()
            if not m.startswith("_") and (callable(v) or inspect.isdatadescriptor(v) or isinstance(v, (staticmethod, classmethod)))
        }
        assert methods - stubbed == set(), f"{name}: members without a stub"
        assert stubbed - methods - {"__init__", "__enter__", "__exit__"} == set(), f"{name}: stubs without a member"
        assert cls.__doc__, f"{name} has no docstring"
        for m in methods:
            assert getattr(cls, m).__doc__, f"{name}.{m} has no docstring"
