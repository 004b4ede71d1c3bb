package org.sdti.model.models.nn;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.samediff.ArrayHolder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A constant store that keeps the arrays it is given, without copies. SameDiff's default constant holder (a
 * lazily replicated {@code ThreadSafeArrayHolder}) keeps a second full copy of every constant, for replication
 * to devices a CPU backend never has: with the SD 2 U-Net that is 3.5 GB more per graph. SameDiff's gradient
 * function takes the arrays from here by reference, so it adds no copy either. Thread-safe for reading.
 */
public final class SharedConstants implements ArrayHolder {
    private final Map<String, INDArray> arrays = new ConcurrentHashMap<>();

    /**
     * Makes {@code sd} store constants and variables in {@link SharedConstants}, moving any it already has
     * (variables by reference too: a trainer writes its updates into the arrays the graph computes with).
     */
    public static void install(SameDiff sd) {
        ArrayHolder current = sd.getConstantArrays();
        if (!(current instanceof SharedConstants)) {
            SharedConstants shared = new SharedConstants();
            shared.initFrom(current);
            sd.setConstantArrays(shared);
        }
        ArrayHolder variables = sd.getVariablesArrays();
        if (!(variables instanceof SharedConstants)) {
            SharedConstants shared = new SharedConstants();
            shared.initFrom(variables);
            sd.setVariablesArrays(shared);
        }
    }

    @Override
    public boolean hasArray(String name) {
        return arrays.containsKey(name);
    }

    @Override
    public INDArray getArray(String name) {
        return arrays.get(name);
    }

    @Override
    public void setArray(String name, INDArray array) {
        arrays.put(name, array.isView() ? array.dup() : array);
    }

    @Override
    public INDArray removeArray(String name) {
        return arrays.remove(name);
    }

    @Override
    public int size() {
        return arrays.size();
    }

    @Override
    public void initFrom(ArrayHolder other) {
        arrays.clear();
        for (String name : other.arrayNames()) {
            arrays.put(name, other.getArray(name));
        }
    }

    @Override
    public Collection<String> arrayNames() {
        return Collections.unmodifiableSet(arrays.keySet());
    }

    @Override
    public void rename(String from, String to) {
        INDArray a = arrays.remove(from);
        if (a != null) {
            arrays.put(to, a);
        }
    }
}
