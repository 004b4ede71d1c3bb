package org.sdti.model.models;

import org.sdti.model.BadInputException;


/** Weights that do not fit the network their config describes; the message names the file and each tensor. */
public class WeightsException extends BadInputException {
    public WeightsException(String message) {
        super(message);
    }
}
