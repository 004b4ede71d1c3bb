package org.sdti.model.models;

import java.io.IOException;

/** Weights that do not fit the network their config describes; the message names the file and each tensor. */
public class WeightsException extends IOException {
    public WeightsException(String message) {
        super(message);
    }
}
