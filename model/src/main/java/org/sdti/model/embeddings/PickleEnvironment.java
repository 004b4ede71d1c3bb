package org.sdti.model.embeddings;

/**
 * What the opcodes that would run code in Python mean here. The unpickler handles the data opcodes itself and asks
 * this for the rest; an implementation decides which globals exist and builds plain values for the few calls it
 * understands.
 */
interface PickleEnvironment {
    /** GLOBAL / STACK_GLOBAL: a reference to an allowed global, or an exception naming a forbidden one. */
    Py.Global global(String module, String name) throws PickleException;

    /** BINPERSID. */
    Object persistentLoad(Object pid) throws PickleException;

    /** REDUCE: {@code callable(*args)}. */
    Object reduce(Py.Global callable, Py.Tuple args) throws PickleException;

    /** NEWOBJ: {@code cls.__new__(cls, *args)}. */
    Object newObject(Py.Global cls, Py.Tuple args) throws PickleException;

    /** BUILD: sets {@code state} on {@code target} in place. */
    void build(Object target, Object state) throws PickleException;
}
